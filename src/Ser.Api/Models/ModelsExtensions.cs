namespace Ser.Api.Models;

/// <summary>The served models: loader, host (activation, hot swap) and their start-up load.</summary>
public static class ModelsExtensions
{
    public static WebApplicationBuilder AddSerModels(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IModelLoader, ModelLoader>();
        builder.Services.AddSingleton<ModelHost>();
        builder.Services.AddHostedService<ModelStartup>();
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
