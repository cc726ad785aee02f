using Microsoft.Extensions.Options;
using Ser.Api.Classification;
using Ser.Api.Serving;
using Ser.Core.Audio;
using Ser.Training.Runs;

namespace Ser.Api.Extensions;

/// <summary>Model serving: model host, batcher, classification, upload limits (storage and options: <see cref="StorageExtensions"/>).</summary>
public static class ServingExtensions
{
    public static WebApplicationBuilder AddSerServing(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddSingleton<IModelLoader, ModelLoader>();
        services.AddSingleton<ModelHost>();
        services.AddSingleton<InferenceBatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<InferenceBatcher>());
        services.AddHostedService<ModelStartup>();
        services.AddSingleton<ClassificationService>();
        services.AddSingleton<UploadReader>();
        services.AddSingleton<UploadBudget>();

        // Multipart framing needs a little more than the audio limit itself. Uploads are streamed by UploadReader, never
        // through the form reader (which buffers large parts to disk).
        var maxBytes = builder.Configuration.GetValue<long?>($"{AudioOptions.Section}:MaxBytes") ?? new AudioOptions().MaxBytes;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = maxBytes + (1 << 20));
        return builder;
    }

    /// <summary>Loads the models in the background so the service listens (and reports progress) at once, then follows
    /// activations made by other processes.</summary>
    private sealed class ModelStartup(ModelHost host, ILogger<ModelStartup> logger) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Run(host.LoadAtStartup, stoppingToken).ConfigureAwait(false);
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken).ConfigureAwait(false);
                try
                {
                    await host.SyncActiveAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Could not read the active runs: {Message}", e.Message);
                }
            }
        }
    }
}
