using Ser.Core.Data;
using Ser.Core.Data.Splits;
using Ser.Core.Evaluation;
using Ser.Core.Models;
using Ser.Training.Loops;
using Ser.Training.Recipes;
using Ser.Training.Runs;

namespace Ser.Api.Tests;

/// <summary>Runs recorded with the real store and registry but without training: a split of a made-up corpus and an
/// evaluation of chosen predictions, for the metrics and dashboard tests.</summary>
internal static class FakeRuns
{
    public static readonly Corpus Corpus = new("synthetic", "synthetic", "/x",
        from s in Enumerable.Range(0, 10) from i in Enumerable.Range(0, 12)
        select new ClipInfo($"{1001 + s}_c{i}", "/x", i % 6, $"{1001 + s}", s % 2 == 0 ? "female" : "male", i % 4 == 0 ? "HI" : "XX"));

    /// <param name="random">A per-clip (speaker-dependent) split instead of an actor split.</param>
    public static string Add(RunStore store, RunRegistry registry, string architecture, long splitSeed, Func<ClipInfo, int> predict, bool finished = true,
        bool random = false)
    {
        var id = TrainingRunner.NewRunId() + architecture[..2] + splitSeed;
        var split = random ? Splitter.Random(Corpus, splitSeed, 0.1, 0.2) : Splitter.ByActor(Corpus, splitSeed, 0.2, 0.2);
        var spec = new RunSpec(id, "train", architecture, architecture + "-tiny", "synthetic", "synthetic", "/x", new SplitSpec(split.Strategy, splitSeed),
            ResNetRecipe.Defaults(new HyperParameters(), ModelPresets.ResNet18Tiny), null, null, "cpu", DateTimeOffset.UtcNow);
        store.WriteSpec(spec);
        registry.Add(spec);
        store.WriteSplit(id, split);
        store.WriteLeakage(id, LeakageAudit.Of(split, Corpus, audioHash: null));
        if (!finished) return id;
        var report = Evaluator.Evaluate(split.Resolve(Corpus, split.Test).Select(c =>
        {
            var p = new float[6];
            p[predict(c)] = 0.7f;
            p[(predict(c) + 1) % 6] = 0.3f;
            return new ClipPrediction(c.Id, c.Label, predict(c), p, c.Sex, c.Intensity);
        }).ToArray(), seed: 1, resamples: 50);
        store.WriteEvaluation(id, report with { Calibration = CalibrationReport.Build(1.5, 24, report.Predictions) });
        store.WriteStatus(id, new RunStatus(RunState.Succeeded));
        registry.Complete(id, report.Wa.Value, report.Ua.Value, report.MacroF1.Value, 12, new RunStatus(RunState.Succeeded, FinishedAt: DateTimeOffset.UtcNow));
        return id;
    }
}
