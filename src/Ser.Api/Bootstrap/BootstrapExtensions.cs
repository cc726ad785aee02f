using Ser.Api.Jobs.Datasets;
using Ser.Api.Models;
using Ser.Core.Data;

namespace Ser.Api.Bootstrap;

/// <summary>Registers the start-up bootstrap and names the synthetic corpus it generates as dataset <c>synthetic</c>
/// (unless configuration names one already), so jobs can use it too.</summary>
public static class BootstrapExtensions
{
    public const string SyntheticDataset = "synthetic";

    public static WebApplicationBuilder AddSerBootstrap(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var dataPath = ServingOptions.FullDataPathOf(builder.Configuration);
        if (string.IsNullOrWhiteSpace(builder.Configuration[$"Ser:Datasets:{SyntheticDataset}:Path"]))
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                [$"Ser:Datasets:{SyntheticDataset}:Path"] = Path.Combine(dataPath, "datasets", SyntheticDataset),
                [$"Ser:Datasets:{SyntheticDataset}:Kind"] = DatasetKinds.Synthetic,
            });
        builder.Services.AddOptions<BootstrapOptions>().Bind(builder.Configuration.GetSection(BootstrapOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<BootstrapService>();
        return builder;
    }

    /// <summary>The dataset the bootstrap trains on: CREMA-D when its volume is configured and holds <c>AudioWAV/</c>
    /// (an empty mount point does not count), else the synthetic corpus.</summary>
    public static (string Name, DatasetOptions Options) Dataset(DatasetsOptions datasets)
    {
        ArgumentNullException.ThrowIfNull(datasets);
        var crema = datasets.Find("crema-d");
        return crema?.Path is { Length: > 0 } path && Directory.Exists(Path.Combine(path, "AudioWAV"))
            ? ("crema-d", crema)
            : (SyntheticDataset, datasets.Find(SyntheticDataset)!);
    }
}
