using Ser.Core.Data;
using Ser.Core.Data.Splits;
using Ser.Core.Evaluation;
using Ser.Core.Models;
using Ser.Training.Loops;
using Ser.Training.Recipes;
using Ser.Training.Reports;
using Ser.Training.Runs;

namespace Ser.Training.Tests.Reports;

public sealed class ComparisonBuilderTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-compare-").FullName;
    private readonly RunStore _store;

    public ComparisonBuilderTests() => _store = new RunStore(_temp);

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static readonly Corpus Corpus = new("c", "csv", "/x",
        from s in Enumerable.Range(0, 10) from i in Enumerable.Range(0, 6)
        select new ClipInfo($"s{s}_{i}", "/x", i, $"spk{s}", s % 2 == 0 ? "female" : "male"));

    private void AddRun(string id, long splitSeed, Func<ClipInfo, int> predict, RunState state = RunState.Succeeded, bool random = false)
    {
        var split = random ? Splitter.Random(Corpus, splitSeed, 0.2, 0.3) : Splitter.ByActor(Corpus, splitSeed, 0.2, 0.2);
        _store.WriteSpec(new RunSpec(id, "train", "resnet18", "resnet18-tiny", "c", "csv", "/x", new SplitSpec(split.Strategy, splitSeed),
            ResNetRecipe.Defaults(new HyperParameters(), ModelPresets.ResNet18Tiny), null, null, "cpu", DateTimeOffset.UtcNow));
        _store.WriteSplit(id, split);
        _store.WriteStatus(id, new RunStatus(state));
        var predictions = split.Resolve(Corpus, split.Test).Select(c =>
        {
            var p = new float[6];
            p[predict(c)] = 1;
            return new ClipPrediction(c.Id, c.Label, predict(c), p, c.Sex);
        }).ToArray();
        if (state == RunState.Succeeded) _store.WriteEvaluation(id, Evaluator.Evaluate(predictions, 1, resamples: 20));
    }

    [Fact]
    public void Runs_on_the_same_split_are_paired_with_mcnemar()
    {
        AddRun("r-a", 1, c => c.Label);
        AddRun("r-b", 1, c => c.Label == 0 ? 1 : c.Label);

        var report = ComparisonBuilder.Build(_store, ["r-a", "r-b"]);

        Assert.Equal(2, report.Runs.Count);
        Assert.Equal(0, report.McNemar!.C);
        Assert.Equal(report.Split.TestClips, report.McNemar.B * 6);
        Assert.Contains("| r-a |", ComparisonWriter.Markdown(report), StringComparison.Ordinal);
    }

    [Fact]
    public void A_random_split_run_beside_an_actor_split_run_shows_the_inflation_with_an_interval()
    {
        // Speaker overlap lets the random-split run memorise voices: right on every clip, against half on unseen actors.
        AddRun("r-seed", 1, c => c.Label, random: true);
        AddRun("r-actor", 1, c => c.Id.EndsWith('0') || c.Id.EndsWith('1') || c.Id.EndsWith('2') ? c.Label : (c.Label + 1) % 6);

        Assert.Throws<ComparisonException>(() => ComparisonBuilder.Build(_store, ["r-seed", "r-actor"]));
        var report = ComparisonBuilder.Build(_store, ["r-seed", "r-actor"], allowDifferentSplits: true);

        var gain = Assert.Single(report.Inflation);
        Assert.Equal(("resnet18", "r-seed", "r-actor"), (gain.Architecture, gain.DependentRun, gain.IndependentRun));
        Assert.Equal(1 - report.Runs[1].Metrics.Wa.Value, gain.Wa.Value, 9);
        Assert.True(gain.Wa.Ci95[0] > 0 && gain.Wa.Ci95[0] <= gain.Wa.Value && gain.Wa.Value <= gain.Wa.Ci95[1]);
        Assert.Null(report.McNemar);
        Assert.Contains("Speaker-overlap inflation, resnet18", ComparisonWriter.Markdown(report), StringComparison.Ordinal);
        Assert.Empty(ComparisonBuilder.Build(_store, ["r-actor", "r-actor"]).Inflation);
    }

    [Fact]
    public void The_training_column_names_the_cpu_a_run_used()
    {
        AddRun("r-a", 1, c => c.Label);
        AddRun("r-b", 1, c => c.Label);
        _store.WriteEnvironment("r-a", RunEnvironment.Capture("cpu"));

        var report = ComparisonBuilder.Build(_store, ["r-a", "r-b"]);

        Assert.Equal($"cpu ({Ser.Core.Runtime.CpuInfo.Current.Model})", report.Runs[0].Training.Device);
        Assert.Equal("cpu", report.Runs[1].Training.Device); // no environment.json: the spec's device
        Assert.Contains($"on cpu ({Ser.Core.Runtime.CpuInfo.Current.Model})", ComparisonWriter.Markdown(report), StringComparison.Ordinal);
    }

    [Fact]
    public void Runs_on_different_splits_are_refused_unless_allowed()
    {
        AddRun("r-a", 1, c => c.Label);
        AddRun("r-c", 2, c => c.Label);

        var e = Assert.Throws<ComparisonException>(() => ComparisonBuilder.Build(_store, ["r-a", "r-c"]));
        var allowed = ComparisonBuilder.Build(_store, ["r-a", "r-c"], allowDifferentSplits: true);

        Assert.Contains("different splits", e.Message, StringComparison.Ordinal);
        Assert.Null(allowed.McNemar);
        Assert.Contains(allowed.Notes, n => n.Contains("not paired", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_and_unfinished_runs_are_refused_by_name()
    {
        AddRun("r-a", 1, c => c.Label);
        AddRun("r-q", 1, c => c.Label, RunState.Running);

        Assert.Contains("Unknown run 'r-x'", Assert.Throws<ComparisonException>(() => ComparisonBuilder.Build(_store, ["r-a", "r-x"])).Message,
            StringComparison.Ordinal);
        Assert.Contains("'r-q' is running", Assert.Throws<ComparisonException>(() => ComparisonBuilder.Build(_store, ["r-a", "r-q"])).Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void The_written_report_has_json_markdown_and_plots()
    {
        AddRun("r-a", 1, c => c.Label);
        AddRun("r-b", 1, c => (c.Label + 1) % 6);
        var output = Path.Combine(_temp, "report");

        ComparisonWriter.Write(ComparisonBuilder.Build(_store, ["r-a", "r-b"]), output);

        foreach (var file in new[] { "comparison.json", "comparison.md", "confusion-r-a.png", "confusion-r-b.png", "per-class-f1.png", "learning-curves.png" })
            Assert.True(new FileInfo(Path.Combine(output, file)).Length > 100, file);
    }
}
