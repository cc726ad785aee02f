using System.Text.Json;
using Ser.Core.Data.Splits;
using Ser.Training.Loops;
using Ser.Training.Runs;
using Ser.Tests;

namespace Ser.Training.Tests.Loops;

/// <summary>Training-heavy: runs alone (2 cores).</summary>
[Collection(nameof(TrainerResumeTests))]
public sealed class TrainerLeaseTests : IClassFixture<SyntheticCorpusFixture>, IDisposable
{
    private readonly SyntheticCorpusFixture _corpus;
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-lease-train-").FullName;

    public TrainerLeaseTests(SyntheticCorpusFixture corpus) => _corpus = corpus;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task A_trainer_whose_lease_is_lost_stops_at_its_next_step_and_leaves_the_last_checkpoint_as_it_was()
    {
        using var slot = await TrainingSlot.AcquireAsync(TestContext.Current.CancellationToken);
        var split = Splitter.ByActor(_corpus.Corpus, seed: 1, validation: 0.2, test: 0.2);
        var hyper = TinyRecipes.Resolve("resnet18-tiny", new HyperParameters { Epochs = 2, BatchSize = 6, CheckpointEverySteps = 2, Seed = 11, MaxSeconds = 1.5 });
        using var model = TinyRecipes.Create("resnet18-tiny", hyper);
        var checkpoints = Path.Combine(_temp, "checkpoints");
        var steps = new List<long>();
        var lost = false;
        var progress = new CallbackProgress<TrainingProgress>(p =>
        {
            if (p.Phase != "step") return;
            steps.Add(p.Step);
            lost |= p.Step == 3; // the heartbeat gives up while step 3 is reported
        });
        var trainer = new Trainer(model, hyper, split.Resolve(_corpus.Corpus, split.Train), split.Resolve(_corpus.Corpus, split.Validation), checkpoints,
            ensureLeased: () => { if (lost) throw new RunLeaseLostException("r-test", "taken over"); });

        await Assert.ThrowsAsync<RunLeaseLostException>(() => trainer.RunAsync(progress, TestContext.Current.CancellationToken));

        Assert.Equal([1, 2, 3], steps); // step 4 was not reported: its checkpoint (every 2 steps) would have replaced step 2's
        using var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(checkpoints, "last", "state.json")));
        Assert.Equal(2, state.RootElement.GetProperty("step").GetInt64());
    }
}
