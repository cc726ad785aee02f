using Microsoft.Extensions.Options;
using Ser.Api.Hosting.Security;

namespace Ser.Api.Jobs.Datasets;

/// <summary><c>Ser:Datasets</c> as options, the generator of synthetic datasets used before they exist, and the options
/// read while the host is built (<c>Ser:Jobs</c>, <c>Ser:Network</c>) registered too, so every section is checked at start.</summary>
public static class DatasetsExtensions
{
    public static IServiceCollection AddSerDatasets(this IServiceCollection services, IConfiguration configuration)
    {
        // Bound when first read: the bootstrap adds its default "synthetic" dataset after this registration.
        services.AddOptions<DatasetsOptions>().Configure(o => configuration.GetSection(DatasetsOptions.Section).Bind(o.Named)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DatasetsOptions>, DatasetsOptionsValidator>();
        services.AddSingleton<SyntheticCorpora>();
        services.AddOptions<JobsOptions>().Bind(configuration.GetSection(JobsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<NetworkOptions>().Bind(configuration.GetSection(NetworkOptions.Section)).ValidateOnStart();
        return services;
    }
}
