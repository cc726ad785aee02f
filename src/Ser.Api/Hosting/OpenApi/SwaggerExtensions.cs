using System.Reflection;
using Microsoft.OpenApi;
using Ser.Api.Classification;

namespace Ser.Api.Hosting.OpenApi;

/// <summary>OpenAPI document at /swagger/v1/swagger.json and Swagger UI at /swagger.</summary>
public static class SwaggerExtensions
{
    public static IServiceCollection AddSerSwagger(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "Ser — speech emotion recognition",
                Version = "v1",
                Description = "Classify speech into six CREMA-D emotions with Wav2Vec2 and ResNet18 side by side; "
                    + "train, evaluate and compare both as background jobs.",
            });
            options.OperationFilter<UploadOperationFilter>();
            options.DocumentFilter<OpenApiConventionsFilter>();
            var xml = Path.Combine(AppContext.BaseDirectory, $"{Assembly.GetExecutingAssembly().GetName().Name}.xml");
            if (File.Exists(xml)) options.IncludeXmlComments(xml);
        });
        return services;
    }

    public static WebApplication UseSerSwagger(this WebApplication app)
    {
        // The server is the one the document was fetched from, so "Try it out" works wherever the service runs.
        app.UseSwagger(options => options.PreSerializeFilters.Add((document, request) =>
            document.Servers = [new OpenApiServer { Url = $"{request.Scheme}://{request.Host.Value}{request.PathBase}" }]));
        app.UseSwaggerUI(options =>
        {
            options.SwaggerEndpoint("/swagger/v1/swagger.json", "Ser v1");
            options.DocumentTitle = "Ser API";
        });
        return app;
    }
}
