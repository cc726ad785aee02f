using Ser.Core.Evaluation;
using Ser.Training.Runs;

namespace Ser.Training.CrossValidation;

/// <summary>A cross-validation as it stands (<c>GET /metrics/cross-validation/{id}</c>): mean ± sd per architecture over
/// the finished folds, the architectures paired per fold, and every fold's figures.</summary>
/// <param name="State"><c>queued</c>, <c>running</c>, <c>succeeded</c> (every run) or <c>incomplete</c> (some failed or were cancelled).</param>
public sealed record CrossValidationReport(string Id, int Folds, string Dataset, long SplitSeed, string State, IReadOnlyList<ArchitectureSummary> Architectures,
    PairedSummary? Paired, IReadOnlyList<FoldResult> PerFold)
{
    public static CrossValidationReport Build(CrossValidationPlan plan, RunRegistry registry, RunStore store)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(store);
        var rows = registry.FindMany(plan.Jobs.SelectMany(j => j.RunIds).ToArray());
        var folds = plan.Jobs.OrderBy(j => j.Fold).Select(j =>
        {
            var runs = j.RunIds.Where(rows.ContainsKey).Select(id => rows[id]).Select(r => r.State == RunState.Succeeded
                ? new FoldRun(r.RunId, r.Architecture, "succeeded", r.Wa, r.Ua, r.MacroF1)
                : new FoldRun(r.RunId, r.Architecture, r.State.ToString().ToLowerInvariant(), null, null, null)).ToArray();
            var done = runs.Where(r => r.Ua is not null).ToArray();
            return done.Length >= 2
                ? new FoldResult(j.Fold, j.JobId, runs, Math.Round(done[0].Ua!.Value - done[1].Ua!.Value, 6), PairedTest(store, done[0].RunId, done[1].RunId))
                : new FoldResult(j.Fold, j.JobId, runs, null, null);
        }).ToArray();
        var all = folds.SelectMany(f => f.Runs).ToArray();
        var architectures = all.Select(r => r.Architecture).Distinct(StringComparer.Ordinal).Select(a =>
        {
            var done = all.Where(r => r.Architecture == a && r.Ua is not null).ToArray();
            return new ArchitectureSummary(a, MeanSd.Of(done.Select(r => r.Wa!.Value).ToArray()), MeanSd.Of(done.Select(r => r.Ua!.Value).ToArray()),
                MeanSd.Of(done.Select(r => r.MacroF1!.Value).ToArray()));
        }).ToArray();
        PairedSummary? paired = null;
        if (architectures.Length >= 2)
        {
            var differences = folds.Where(f => f.UaDifference is not null).Select(f => f.UaDifference!.Value).ToArray();
            paired = new PairedSummary(architectures[0].Architecture, architectures[1].Architecture, MeanSd.Of(differences),
                differences.Count(d => d > 0), differences.Count(d => d < 0));
        }
        return new CrossValidationReport(plan.Id, plan.Folds, plan.Dataset, plan.SplitSeed, StateOf(all, plan), architectures, paired, folds);
    }

    private static string StateOf(IReadOnlyList<FoldRun> runs, CrossValidationPlan plan)
    {
        if (runs.Count > 0 && runs.All(r => r.State == "queued")) return "queued";
        if (runs.Any(r => r.State is "queued" or "running")) return "running";
        return runs.Count == plan.Jobs.Sum(j => j.RunIds.Count) && runs.All(r => r.State == "succeeded") ? "succeeded" : "incomplete";
    }

    // McNemar on the fold's test clips, when both evaluations are readable.
    private static McNemar? PairedTest(RunStore store, string first, string second) =>
        store.ReadEvaluation(first) is { Predictions.Count: > 0 } a && store.ReadEvaluation(second) is { } b ? McNemar.OnSharedClips(a.Predictions, b.Predictions) : null;
}
