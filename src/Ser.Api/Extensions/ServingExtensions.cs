using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Ser.Api.Classification;
using Ser.Api.Endpoints;
using Ser.Api.Serving;
using Ser.Core.Audio;
using Ser.Core.Runtime;
using Ser.Training.Runs;

namespace Ser.Api.Extensions;

/// <summary>Model serving: options, run store and registry, model host, batcher, classification, upload limits.</summary>
public static class ServingExtensions
{
    public static WebApplicationBuilder AddSerServing(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<ServingOptions>().Bind(builder.Configuration.GetSection(ServingOptions.Section));
        services.AddOptions<InferenceOptions>().Bind(builder.Configuration.GetSection(InferenceOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AuthOptions>().Bind(builder.Configuration.GetSection(AuthOptions.Section));
        services.AddSingleton(sp => new RunStore(sp.GetRequiredService<IOptions<ServingOptions>>().Value.RunsPath));
        services.AddSingleton(sp => new RunRegistry(sp.GetRequiredService<IOptions<ServingOptions>>().Value.RegistryPath));
        services.AddSingleton<ModelHost>();
        services.AddSingleton<InferenceBatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<InferenceBatcher>());
        services.AddHostedService<ModelStartup>();
        services.AddSingleton<ClassificationService>();
        services.AddSingleton<UploadReader>();
        services.AddSingleton<StateChangeAuthorization>();
        services.AddSingleton<ClassifyAuthorization>();

        // Multipart framing needs a little more than the audio limit itself.
        var maxBytes = builder.Configuration.GetValue<long?>($"{AudioOptions.Section}:MaxBytes") ?? new AudioOptions().MaxBytes;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = maxBytes + (1 << 20));
        services.Configure<FormOptions>(form => form.MultipartBodyLengthLimit = maxBytes + (1 << 20));
        return builder;
    }

    /// <summary>Loads the models in the background so the service listens (and reports progress) at once.</summary>
    private sealed class ModelStartup(ModelHost host) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken)
        {
            TorchRuntime.KeepFreedMemoryInHeap();
            TorchRuntime.TrySetFloat32MatmulPrecision("medium");
            return Task.Run(host.LoadAtStartup, stoppingToken);
        }
    }
}
