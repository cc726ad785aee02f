using Ser.Core.Audio;

namespace Ser.Api.Classification;

/// <summary>Classification: upload reading and its memory budget, the batcher, the service and per-clip rate limits
/// (the models it scores with: <see cref="Models.ModelsExtensions"/>).</summary>
public static class ClassificationExtensions
{
    public static WebApplicationBuilder AddSerClassification(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddSingleton<InferenceBatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<InferenceBatcher>());
        services.AddSingleton<ClassificationService>();
        services.AddSingleton<UploadReader>();
        services.AddSingleton<UploadBudget>();

        // Multipart framing needs a little more than the audio limit itself. Uploads are streamed by UploadReader, never
        // through the form reader (which buffers large parts to disk).
        var maxBytes = builder.Configuration.GetValue<long?>($"{AudioOptions.Section}:MaxBytes") ?? new AudioOptions().MaxBytes;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = maxBytes + (1 << 20));
        builder.AddSerRateLimits();
        return builder;
    }

    public static WebApplication MapSerClassification(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseRateLimiter();
        app.MapClassifyEndpoints();
        app.MapExampleEndpoints();
        return app;
    }
}
