using Microsoft.Extensions.Configuration;
using Ser.Api.Bootstrap;
using Ser.Api.Jobs.Datasets;

namespace Ser.Api.Tests.Bootstrap;

/// <summary>Which corpus the first-start bootstrap trains on.</summary>
public sealed class BootstrapDatasetTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-boot-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void A_mounted_crema_d_volume_is_used_and_an_empty_mount_point_or_none_falls_back_to_the_synthetic_corpus()
    {
        var crema = Path.Combine(_temp, "crema-d");
        Directory.CreateDirectory(crema);
        Assert.Equal("synthetic", BootstrapExtensions.Dataset(Configuration(crema)).Name); // empty mount point
        Assert.Equal("synthetic", BootstrapExtensions.Dataset(Configuration(null)).Name);

        Directory.CreateDirectory(Path.Combine(crema, "AudioWAV"));
        var (name, options) = BootstrapExtensions.Dataset(Configuration(crema));
        Assert.Equal(("crema-d", crema, "crema-d"), (name, options.Path, options.Kind));
    }

    private DatasetsOptions Configuration(string? crema)
    {
        var datasets = new DatasetsOptions();
        Settings(crema).GetSection(DatasetsOptions.Section).Bind(datasets.Named);
        return datasets;
    }

    private IConfiguration Settings(string? crema) => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Ser:Datasets:crema-d:Path"] = crema,
        ["Ser:Datasets:synthetic:Path"] = Path.Combine(_temp, "synthetic"),
        ["Ser:Datasets:synthetic:Kind"] = "synthetic",
    }).Build();
}
