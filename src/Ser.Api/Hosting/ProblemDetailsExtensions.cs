using Ser.Api.Hosting.Storage;

namespace Ser.Api.Hosting;

/// <summary>RFC 9457 problem details for every error, with the trace id; no internals in a 500; unavailable storage is
/// a 503 (<see cref="StorageUnavailableHandler"/>).</summary>
public static class ProblemDetailsExtensions
{
    public static IServiceCollection AddSerProblemDetails(this IServiceCollection services) =>
        services.AddExceptionHandler<StorageUnavailableHandler>().AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Extensions["traceId"] = context.HttpContext.TraceIdentifier;
            context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
        });

    public static WebApplication UseSerProblemDetails(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        return app;
    }
}
