using Ser.Training.Runs;

namespace Ser.Api.Metrics.Dashboard;

/// <summary>What the page shows beyond the comparison: each compared run's learning curve and the runs training now.</summary>
public sealed record DashboardExtras(IReadOnlyDictionary<string, IReadOnlyList<EpochMetrics>> Curves, IReadOnlyList<RunningRun> Running)
{
    public static DashboardExtras From(RunStore store, RunRegistry registry, IEnumerable<string> runIds)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(registry);
        var curves = runIds.ToDictionary(id => id, id => store.ReadTraining(id)?.History ?? [], StringComparer.Ordinal);
        var running = registry.List(state: RunState.Running, limit: 20)
            .Select(r => new RunningRun(r.RunId, r.Architecture, r.Preset, r.Progress)).ToArray();
        return new DashboardExtras(curves, running);
    }
}
