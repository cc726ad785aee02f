using System.Text.Json;
using System.Text.Json.Serialization;
using Ser.Api.Classification;
using Ser.Api.Hosting.Health;
using Microsoft.Extensions.Options;
using Ser.Core.Audio;

namespace Ser.Api.Hosting;

/// <summary>Registers Ser.Core services and binds their options (validated at start-up).</summary>
public static class CoreServiceExtensions
{
    public static IServiceCollection AddSerCore(this IServiceCollection services, IConfiguration configuration, ServiceRole role = ServiceRole.All)
    {
        services.AddOptions<AudioOptions>().Bind(configuration.GetSection(AudioOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new WavDecoder(sp.GetRequiredService<IOptions<AudioOptions>>()));
        // API.md: camelCase JSON, enum values as lower-case strings.
        services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
        // Training runs on the inference device too (Ser:Inference:Device), so every role needs these options.
        services.AddOptions<InferenceOptions>().Bind(configuration.GetSection(InferenceOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<InferenceOptions>, InferenceOptionsValidator>();
        services.AddSingleton(new ServiceReadiness(role.Serves()));
        // First hosted service: libtorch's math settings are made before the Hangfire server or the models start.
        services.AddHostedService(sp => new TorchRuntimeStartup(sp.GetRequiredService<IOptions<InferenceOptions>>(), role.Trains(),
            sp.GetRequiredService<ILogger<TorchRuntimeStartup>>()));
        return services;
    }
}
