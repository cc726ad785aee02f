using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ser.Training.BaseCheckpoints;

namespace Ser.Training.Runs;

/// <summary>The <see cref="TrainingRunner"/> of a host or of the CLI: base checkpoints missing from the models folder are
/// fetched from the Hugging Face hub when a run starts (HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE).</summary>
public static class TrainingServices
{
    /// <summary>Registers the runner (over the registered <see cref="RunStore"/> and <see cref="RunRegistry"/>) and its hub client.</summary>
    public static IServiceCollection AddTrainingRunner(this IServiceCollection services)
    {
        services.AddHuggingFaceHubClient();
        services.AddSingleton(sp => new BaseCheckpointCatalog(HubHttp.CreateHub(sp),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("BaseCheckpoints")));
        services.AddSingleton(sp => new TrainingRunner(sp.GetRequiredService<RunStore>(), sp.GetRequiredService<RunRegistry>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Training"), sp.GetRequiredService<BaseCheckpointCatalog>()));
        return services;
    }
}
