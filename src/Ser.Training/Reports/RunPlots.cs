using Ser.Core.Data.Splits;
using Ser.Core.Evaluation;
using Ser.Core.IO;
using Ser.Training.Runs;

namespace Ser.Training.Reports;

/// <summary>One run's charts in <c>runs/{id}/plots/</c> (confusion matrix, per-class F1, learning curve), the same
/// drawings a comparison makes, written as a folder that appears complete or not at all.</summary>
public static class RunPlots
{
    public const string Folder = "plots";

    /// <summary>The names a run's plots folder holds (without <c>.png</c>).</summary>
    public static IReadOnlyList<string> Names { get; } = ["confusion", "per-class-f1", "learning-curve"];

    public static string Directory(RunStore store, string runId)
    {
        ArgumentNullException.ThrowIfNull(store);
        return Path.Combine(store.Directory(runId), Folder);
    }

    /// <summary>Draws the plots of a run whose evaluation is written (training history optional: an evaluation run has none).</summary>
    public static void Write(RunStore store, string runId, EvaluationReport evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        var spec = store.ReadSpec(runId);
        var training = store.ReadTraining(runId);
        var split = store.ReadSplit(runId);
        var info = new ComparisonSplit(split?.Hash ?? "", split?.Strategy.Name() ?? "", split?.SpeakerIndependent ?? true, split?.Seed ?? 0,
            split?.Test.Clips.Count ?? 0);
        IReadOnlyList<EpochMetrics> curve = training?.History ?? [];
        var run = new RunComparison(runId, spec.Architecture, spec.Preset, spec.Dataset, info, evaluation,
            new TrainingCost(training?.Seconds ?? 0, spec.Device, curve.Count, training?.BestEpoch ?? 0, spec.Hyper.Seed), curve);
        var report = new ComparisonReport(info, [run], null, null, null, []);
        AtomicDirectory.Write(Directory(store, runId), temp =>
        {
            ComparisonPlots.Confusion(run, Path.Combine(temp, "confusion.png"));
            ComparisonPlots.PerClassF1(report, Path.Combine(temp, "per-class-f1.png"));
            ComparisonPlots.LearningCurves(report, Path.Combine(temp, "learning-curve.png"));
        });
    }
}
