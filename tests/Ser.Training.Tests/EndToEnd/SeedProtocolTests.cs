using Ser.Core.Data.Splits;
using Ser.Core.Data.Synthetic;
using Ser.Core.Data;
using Ser.Training.Reports;
using Ser.Training.Runs;
using Ser.Tests;

namespace Ser.Training.Tests.EndToEnd;

/// <summary>The reference study's protocol (resnet18-seed: random per-clip split, its recipe) trained beside the actor-split
/// default on one synthetic corpus, and the comparison's inflation between them. One epoch each: the point is the plumbing
/// and the figures' shape, not the accuracy.</summary>
[Collection(nameof(SyntheticEndToEndTests))]
public sealed class SeedProtocolTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-seed-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task The_seed_preset_trains_on_its_random_split_and_the_comparison_measures_the_inflation()
    {
        using var slot = await TrainingSlot.AcquireAsync(TestContext.Current.CancellationToken);
        var corpus = Path.Combine(_temp, "synthetic");
        SyntheticCorpusGenerator.Generate(corpus, new SyntheticCorpusOptions { Actors = 6, Sentences = 2, Seed = 9 }, TestContext.Current.CancellationToken);
        var runner = new TrainingRunner(new RunStore(Path.Combine(_temp, "runs")), new RunRegistry(Path.Combine(_temp, "registry.db")));
        var planner = new RunPlanner { ModelsFolder = Path.Combine(_temp, "models") };
        TrainingRequest Request(string preset) => new()
        {
            Architecture = "resnet18", Preset = preset, BaseCheckpoint = RunPlanner.NoBaseCheckpoint, Device = "cpu",
            Dataset = new TrainingDataset { Name = "synthetic", Kind = DatasetKinds.Synthetic, Path = corpus },
            HyperParameters = new HyperParameters { Epochs = 1, BatchSize = 16 },
        };
        var seed = Assert.Single(planner.Plan(Request("resnet18-seed")).Runs);
        var actor = Assert.Single(planner.Plan(Request("resnet18-tiny")).Runs);

        foreach (var run in new[] { seed, actor })
        {
            runner.Create(run);
            await runner.TrainAsync(run.RunId, cancellationToken: TestContext.Current.CancellationToken);
        }

        Assert.Equal(SplitStrategy.Random, runner.Store.ReadSplit(seed.RunId)!.Strategy);
        Assert.Equal(6, runner.Store.ReadLeakage(seed.RunId)!.SharedSpeakers);
        Assert.Equal(0, runner.Store.ReadLeakage(actor.RunId)!.SharedSpeakers);
        var report = ComparisonBuilder.Build(runner.Store, runner.Registry, [seed.RunId, actor.RunId], allowDifferentSplits: true);
        var gain = Assert.Single(report.Inflation);
        var (dependent, independent) = (report.Runs[0].Metrics, report.Runs[1].Metrics);
        Assert.Equal(dependent.Wa.Value - independent.Wa.Value, gain.Wa.Value, 9);
        Assert.InRange(gain.Wa.Value, gain.Wa.Ci95[0], gain.Wa.Ci95[1]);
        Assert.Contains(report.Notes, n => n.Contains("Speaker-dependent", StringComparison.Ordinal));
        log.WriteLine($"resnet18-seed (random split) WA {dependent.Wa.Value:0.000} vs resnet18-tiny (actor split) {independent.Wa.Value:0.000}: "
            + $"inflation {gain.Wa.Value:+0.000;-0.000} ({gain.Wa.Ci95[0]:0.000}–{gain.Wa.Ci95[1]:0.000}) after one epoch");
    }
}
