using Ser.Api.Jobs;

namespace Ser.Api.Extensions;

/// <summary><c>Ser:Datasets</c> as options, and the generator of synthetic datasets used before they exist.</summary>
public static class DatasetsExtensions
{
    public static IServiceCollection AddSerDatasets(this IServiceCollection services, IConfiguration configuration)
    {
        // Bound when first read: the bootstrap adds its default "synthetic" dataset after this registration.
        services.AddOptions<DatasetsOptions>().Configure(o => configuration.GetSection(DatasetsOptions.Section).Bind(o.Named));
        services.AddSingleton<SyntheticCorpora>();
        return services;
    }
}
