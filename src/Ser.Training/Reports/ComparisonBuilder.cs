using Ser.Core.Data.Splits;
using Ser.Core.Evaluation;
using Ser.Training.Runs;

namespace Ser.Training.Reports;

/// <summary>Builds a <see cref="ComparisonReport"/> from succeeded runs, refusing runs on different splits unless
/// <c>allowDifferentSplits</c> (the figures would then not be paired; McNemar is left out).</summary>
public static class ComparisonBuilder
{
    public static ComparisonReport Build(RunStore store, IReadOnlyList<string> runIds, bool allowDifferentSplits = false) =>
        Build(store, null, runIds, allowDifferentSplits);

    /// <param name="registry">Where the runs' state is read (the source of truth); null: their status.json copies.</param>
    public static ComparisonReport Build(RunStore store, RunRegistry? registry, IReadOnlyList<string> runIds, bool allowDifferentSplits = false)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(runIds);
        if (runIds.Count < 2) throw new ComparisonException("Name at least two runs to compare.");
        var rows = registry?.FindMany(runIds);
        var runs = runIds.Select(id => Load(store, id, rows is null ? null : rows.GetValueOrDefault(id)?.State ?? RunState.Queued)).ToArray();
        var sameSplit = runs.All(r => r.Split.Hash == runs[0].Split.Hash);
        if (!sameSplit && !allowDifferentSplits)
            throw new ComparisonException("The runs were evaluated on different splits (" + string.Join(", ", runs.Select(r => $"{r.RunId}: {r.Split.Hash[..12]}…"))
                + "); their figures are not comparable. Pass allowDifferentSplits to compare anyway.");
        var notes = new List<string>();
        if (!sameSplit) notes.Add("Runs use different splits: figures are not paired and McNemar's test is omitted.");
        if (runs.Any(r => !r.Split.SpeakerIndependent))
            notes.Add("Speaker-dependent split (random per clip): the same voices are in train and test, which inflates accuracy.");
        var inflation = Inflation(store, runs);
        if (inflation.Count > 0) notes.Add("Inflation: the same architecture on the same corpus, speaker-dependent minus speaker-independent (different test clips, 95 % bootstrap intervals).");
        var mcnemar = sameSplit ? McNemar.OnSharedClips(runs[0].Metrics.Predictions, runs[1].Metrics.Predictions) : null;
        return new ComparisonReport(runs[0].Split, runs.Select(r => r with { Metrics = r.Metrics with { Predictions = [] } }).ToArray(),
            mcnemar, runs[0].Metrics.Human, runs[0].Metrics.HumanAbsentReason, notes) { Inflation = inflation };
    }

    // Per architecture, its first speaker-dependent run against its first speaker-independent one on the same corpus.
    private static List<SplitInflation> Inflation(RunStore store, IReadOnlyList<RunComparison> runs)
    {
        var corpus = runs.DistinctBy(r => r.RunId).ToDictionary(r => r.RunId, r => store.ReadSplit(r.RunId)?.ManifestHash, StringComparer.Ordinal);
        var found = new List<SplitInflation>();
        foreach (var architecture in runs.Select(r => r.Architecture).Distinct(StringComparer.Ordinal))
        {
            var own = runs.Where(r => r.Architecture == architecture).ToArray();
            var pair = own.Where(r => !r.Split.SpeakerIndependent)
                .SelectMany(d => own.Where(i => i.Split.SpeakerIndependent && corpus[i.RunId] == corpus[d.RunId]).Select(i => (d, i))).FirstOrDefault();
            if (pair is (null, _) or (_, null)) continue;
            found.Add(SplitInflation.Measure(architecture, pair.d.RunId, pair.d.Metrics.Predictions, pair.i.RunId, pair.i.Metrics.Predictions, pair.d.Split.Seed));
        }
        return found;
    }

    private static RunComparison Load(RunStore store, string runId, RunState? state)
    {
        if (!store.Exists(runId)) throw new ComparisonException($"Unknown run '{runId}'.");
        state ??= store.ReadStatus(runId).State;
        var evaluation = store.ReadEvaluation(runId);
        if (state != RunState.Succeeded || evaluation is null)
            throw new ComparisonException($"Run '{runId}' is {state.Value.ToString().ToLowerInvariant()}, not succeeded; only finished runs can be compared.");
        var spec = store.ReadSpec(runId);
        var split = store.ReadSplit(runId)!;
        var training = store.ReadTraining(runId);
        return new RunComparison(runId, spec.Architecture, spec.Preset, spec.Dataset,
            new ComparisonSplit(split.Hash, split.Strategy.Name(), split.SpeakerIndependent, split.Seed, split.Test.Clips.Count), evaluation,
            // The device it really ran on ("auto" in the spec becomes cpu or cuda:N on the worker).
            new TrainingCost(training?.Seconds ?? 0, store.ReadEnvironment(runId)?.DeviceDescription ?? spec.Device, training?.History.Count ?? 0, training?.BestEpoch ?? 0, spec.Hyper.Seed),
            training?.History ?? []);
    }
}
