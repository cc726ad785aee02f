using Microsoft.AspNetCore.Http.HttpResults;

namespace Ser.Api.Hosting;

/// <summary>RFC 9457 answers with Ser's titles; 503s and 429s carry Retry-After.</summary>
public static class Problems
{
    public static ProblemHttpResult Create(int status, string title, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title, type: $"https://ser.dev/problems/{status}");

    public static ProblemHttpResult Unavailable(HttpContext context, int retryAfterSeconds, string detail)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Create(StatusCodes.Status503ServiceUnavailable, "Service unavailable", detail);
    }

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "Invalid request",
            type: "https://ser.dev/problems/400");
}
