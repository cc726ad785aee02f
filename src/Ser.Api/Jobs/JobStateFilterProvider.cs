using Hangfire.Common;

namespace Ser.Api.Jobs;

/// <summary>Hangfire's filters plus this host's <see cref="JobStateFilter"/>. Per host rather than in the static
/// <c>GlobalJobFilters</c>, so two hosts in one process (the tests) never run each other's filter.</summary>
public sealed class JobStateFilterProvider(JobStateFilter filter) : IJobFilterProvider
{
    private readonly JobFilter _filter = new(filter, JobFilterScope.Global, null);

    public IEnumerable<JobFilter> GetFilters(Job job) => JobFilterProviders.Providers.GetFilters(job).Append(_filter);

    /// <summary>Registers the filter; call after <c>AddHangfire</c> (whose own provider it overrides).</summary>
    public static IServiceCollection AddJobStateFilter(IServiceCollection services)
    {
        services.AddSingleton<JobStateFilter>();
        services.AddSingleton<IJobFilterProvider>(sp => new JobStateFilterProvider(sp.GetRequiredService<JobStateFilter>()));
        return services;
    }
}
