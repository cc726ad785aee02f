using System.Diagnostics;
using System.Text.Json;
using Ser.Training.Cli;
using Ser.Training.Reports;
using Ser.Training.Runs;
using Ser.Tests;

namespace Ser.Training.Tests.EndToEnd;

/// <summary>The whole pipeline through the console: a synthetic corpus, both tiny models trained on an actor-disjoint
/// split, tested on unseen actors, compared. Training-heavy (a few minutes on 2 cores): runs alone.</summary>
[CollectionDefinition(nameof(SyntheticEndToEndTests), DisableParallelization = true)]
[Collection(nameof(SyntheticEndToEndTests))]
public sealed class SyntheticEndToEndTests(ITestOutputHelper log) : IDisposable
{
    private const double Chance = 1.0 / 6;
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-e2e-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task Both_tiny_models_learn_the_synthetic_cues_and_generalise_to_unseen_actors()
    {
        using var slot = await TrainingSlot.AcquireAsync(TestContext.Current.CancellationToken);
        var corpus = Path.Combine(_temp, "synthetic");
        var data = Path.Combine(_temp, "data");
        var watch = Stopwatch.StartNew();
        Assert.Equal(ExitCodes.Success, (await Run("synth", "--out", corpus, "--actors", "24", "--sentences", "6", "--seed", "7")).Code);

        var train = await Run("train", "--architecture", "both", "--tiny", "--dataset-path", corpus, "--dataset-kind", "synthetic",
            "--data", data, "--epochs", "15", "--patience", "0", "--seed", "42");
        log.WriteLine(train.Output);
        log.WriteLine($"synth + train + evaluate + compare: {watch.Elapsed.TotalSeconds:0} s");

        Assert.Equal(ExitCodes.Success, train.Code);
        var registry = new RunRegistry(Path.Combine(data, "registry.db"));
        var runs = registry.List();
        Assert.Equal(2, runs.Count);
        Assert.All(runs, r =>
        {
            Assert.Equal(RunState.Succeeded, r.State);
            Assert.True(r.SpeakerIndependent);
            Assert.True(r.Ua > 2.5 * Chance, $"{r.Architecture} test UA {r.Ua:0.000} is not far above chance");
        });
        Assert.Single(runs.Select(r => r.SplitHash).Distinct());

        var report = Directory.GetDirectories(Path.Combine(data, "reports")).Single();
        foreach (var file in new[] { "comparison.json", "comparison.md", "per-class-f1.png", "learning-curves.png" })
            Assert.True(File.Exists(Path.Combine(report, file)), file);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(report, "comparison.json")));
        Assert.Equal(2, json.RootElement.GetProperty("runs").GetArrayLength());
        Assert.True(json.RootElement.GetProperty("mcnemar").GetProperty("pValue").GetDouble() is >= 0 and <= 1);
        Assert.Contains("synthetic", json.RootElement.GetProperty("humanAbsentReason").GetString(), StringComparison.Ordinal);

        var store = new RunStore(Path.Combine(data, "runs"));
        var first = runs[0].RunId;
        Assert.True(File.Exists(Path.Combine(store.Directory(first), "split.json")));
        Assert.True(File.Exists(Path.Combine(store.Directory(first), "predictions.csv")));
        Assert.Equal(runs[0].Ua!.Value, store.ReadEvaluation(first)!.Ua.Value, 12);

        // Every run measures its bfloat16 copy against its float32 answers on the same held-out clips.
        foreach (var run in runs)
        {
            var drift = store.ReadBf16Drift(run.RunId);
            Assert.NotNull(drift);
            Assert.Equal(store.ReadEvaluation(run.RunId)!.Predictions.Count, drift.Clips);
            Assert.InRange(drift.MeanAbsDiff, 1e-9, drift.MaxAbsDiff); // bf16 is not float32: some difference is expected
            Assert.InRange(drift.MaxAbsDiff, drift.MeanAbsDiff, 1);
            Assert.InRange(drift.TopLabelAgreement, 0, 1);
            Assert.Equal(Ser.Core.Runtime.CpuInfo.Current.Model, drift.Cpu);
            // A single run gets its own charts, not only comparisons.
            foreach (var plot in RunPlots.Names) Assert.True(File.Exists(Path.Combine(RunPlots.Directory(store, run.RunId), plot + ".png")), plot);
            log.WriteLine($"{run.Architecture} bf16 drift: mean |Δp| {drift.MeanAbsDiff:0.0e0}, max {drift.MaxAbsDiff:0.000}, top-label agreement {drift.TopLabelAgreement:0.000} ({drift.Kernels})");

            // A temperature fitted on the validation clips travels with the model; the evaluation shows its effect on test.
            var calibration = Ser.Core.Models.ModelCalibration.TryLoad(store.Model(run.RunId));
            Assert.NotNull(calibration);
            Assert.Equal(store.ReadSplit(run.RunId)!.Validation.Clips.Count, calibration.ValidationClips);
            Assert.True(calibration.NllAfter <= calibration.NllBefore + 1e-9, $"validation NLL {calibration.NllBefore} → {calibration.NllAfter}");
            var test = store.ReadEvaluation(run.RunId)!.Calibration;
            Assert.NotNull(test);
            Assert.Equal(calibration.Temperature, test.Temperature);
            Assert.Equal(1.0, test.RiskCoverage[^1].Coverage);
            Assert.Equal(store.ReadEvaluation(run.RunId)!.Wa.Value, test.RiskCoverage[^1].Accuracy, 9);
            log.WriteLine($"{run.Architecture} T = {calibration.Temperature:0.000}: validation NLL {calibration.NllBefore:0.000} → {calibration.NllAfter:0.000}, "
                + $"test ECE {test.EceBefore:0.000} → {test.EceAfter:0.000}, AURC {test.Aurc:0.000}");
        }

        var evaluate = await Run("evaluate", "--run", first, "--data", data);
        Assert.Equal(ExitCodes.Success, evaluate.Code);
        Assert.Contains("evaluate: ", evaluate.Output, StringComparison.Ordinal); // progress, like train's
        var again = registry.List().First(r => r.Kind == "evaluate");
        Assert.Equal(runs[0].Ua!.Value, again.Ua!.Value, 6);
        Assert.True(File.Exists(Path.Combine(RunPlots.Directory(store, again.RunId), "confusion.png")));
        Assert.Equal(store.ReadEvaluation(first)!.Calibration!.Temperature, store.ReadEvaluation(again.RunId)!.Calibration!.Temperature);
    }

    private static async Task<(int Code, string Output)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await SerTrainCommand.RunAsync(args, output, error, cancellationToken: TestContext.Current.CancellationToken);
        return (code, output + error.ToString());
    }
}
