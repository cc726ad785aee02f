using System.Text.Json;
using Ser.Core.Data.Synthetic;
using Ser.Core.Models;
using Ser.Training.Loops;
using Ser.Training.Recipes;
using Ser.Training.Runs;
using Ser.Tests;

namespace Ser.Training.Tests.Runs;

/// <summary>metrics.jsonl grows one line per epoch while the run trains, and a resumed run does not repeat an epoch.</summary>
public sealed class MetricsPerEpochTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-metrics-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task Metrics_has_one_line_after_epoch_one_and_two_after_a_resume_to_the_end()
    {
        using var slot = await TrainingSlot.AcquireAsync(TestContext.Current.CancellationToken);
        var corpus = Path.Combine(_temp, "synthetic");
        SyntheticCorpusGenerator.Generate(corpus, new SyntheticCorpusOptions { Actors = 6, Sentences = 2, Seed = 4 }, TestContext.Current.CancellationToken);
        var runner = new TrainingRunner(new RunStore(Path.Combine(_temp, "runs")), new RunRegistry(Path.Combine(_temp, "registry.db")));
        var spec = new RunSpec(TrainingRunner.NewRunId(), "train", ModelArchitectures.ResNet18, "resnet18-tiny", "synthetic", "synthetic", corpus,
            new SplitSpec(), ResNetRecipe.Defaults(new HyperParameters { Epochs = 2, BatchSize = 8 }, ModelPresets.ResNet18Tiny), null, null, "cpu",
            DateTimeOffset.UtcNow);
        runner.Create(spec);
        var metrics = Path.Combine(runner.Store.Directory(spec.RunId), "metrics.jsonl");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        int? linesAfterEpochOne = null;
        var progress = new CallbackProgress<TrainingProgress>(p =>
        {
            if (p.Phase != "epoch" || p.Epoch != 1) return;
            linesAfterEpochOne = File.Exists(metrics) ? File.ReadAllLines(metrics).Length : 0;
            stop.Cancel(); // stops at the next step of epoch 2, with a checkpoint
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runner.TrainAsync(spec.RunId, progress, stop.Token));
        Assert.Equal(1, linesAfterEpochOne);
        Assert.Single(File.ReadAllLines(metrics));

        await runner.TrainAsync(spec.RunId, cancellationToken: TestContext.Current.CancellationToken);

        var epochs = File.ReadAllLines(metrics).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("epoch").GetInt32()).ToArray();
        Assert.Equal([1, 2], epochs);
        Assert.Equal(2, runner.Registry.Find(spec.RunId)!.Attempt); // the registry row counts the resume
    }
}
