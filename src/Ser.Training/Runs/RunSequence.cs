using Ser.Training.Reports;

namespace Ser.Training.Runs;

/// <summary>A request's runs trained one after the other (they share one split), then compared when there are two or
/// more: the one path of <c>POST /jobs/train</c>'s job and <c>ser-train train</c>.</summary>
public static class RunSequence
{
    /// <summary>Trains each run with <paramref name="trainOne"/> (the caller's retries, progress and output), then writes
    /// the comparison to <see cref="ReportFolder"/>. Returns the comparison, or null for a single run.</summary>
    /// <param name="registry">Where the runs' state is read from (null: their <c>status.json</c> copies).</param>
    public static async Task<ComparisonReport?> TrainAllAsync(RunStore store, RunRegistry? registry, string dataPath, IReadOnlyList<string> runIds,
        Func<string, CancellationToken, Task> trainOne, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(runIds);
        ArgumentNullException.ThrowIfNull(trainOne);
        foreach (var runId in runIds) await trainOne(runId, cancellationToken).ConfigureAwait(false);
        if (runIds.Count < 2) return null;
        var report = ComparisonBuilder.Build(store, registry, runIds);
        ComparisonWriter.Write(report, ReportFolder(dataPath, runIds));
        return report;
    }

    /// <summary><c>{data}/reports/{id1}-vs-{id2}</c>.</summary>
    public static string ReportFolder(string dataPath, IReadOnlyList<string> runIds) =>
        Path.Combine(Path.GetFullPath(dataPath), "reports", string.Join("-vs-", runIds));
}
