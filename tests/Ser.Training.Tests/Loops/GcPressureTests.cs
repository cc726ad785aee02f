using Ser.Core.Data.Splits;
using Ser.Training.Loops;
using Ser.Tests;
using Ser.Training.Runs;

namespace Ser.Training.Tests.Loops;

/// <summary>Training while another thread forces garbage collections and runs finalizers without pause, as a busy
/// service does (requests allocate while a job trains). A TorchSharp scalar made implicitly from a number is
/// finalizable and unreferenced once its handle is passed to libtorch, so a collection during the native call freed
/// it mid-use: the quick-start job failed with libtorch's "Expected false to be true" from a corrupted scalar. Under
/// pressure the run must still finish, with the same weights and losses as a quiet run.</summary>
[CollectionDefinition(nameof(GcPressureTests), DisableParallelization = true)]
[Collection(nameof(GcPressureTests))]
public sealed class GcPressureTests : IClassFixture<SyntheticCorpusFixture>, IDisposable
{
    private readonly SyntheticCorpusFixture _corpus;
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-gc-").FullName;

    public GcPressureTests(SyntheticCorpusFixture corpus) => _corpus = corpus;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    public static TheoryData<string, string> Optimizers => new() { { "resnet18-tiny", "adamw" }, { "resnet18-tiny", "sgd" }, { "wav2vec2-tiny", "adamw" } };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public async Task Training_under_constant_garbage_collection_matches_a_quiet_run(string preset, string optimizer)
    {
        using var slot = await TrainingSlot.AcquireAsync(TestContext.Current.CancellationToken);
        var split = Splitter.ByActor(_corpus.Corpus, seed: 1, validation: 0.2, test: 0.2);
        var train = split.Resolve(_corpus.Corpus, split.Train);
        var validation = split.Resolve(_corpus.Corpus, split.Validation);
        var hyper = TinyRecipes.Resolve(preset, new HyperParameters { Epochs = 2, BatchSize = 6, Seed = 5, MaxSeconds = 1.5, Optimizer = optimizer, GradientClip = 1.0 });
        var ct = TestContext.Current.CancellationToken;

        using var quiet = TinyRecipes.Create(preset, hyper);
        var expected = await new Trainer(quiet, hyper, train, validation, Path.Combine(_temp, "quiet")).RunAsync(cancellationToken: ct);

        using var pressured = TinyRecipes.Create(preset, hyper);
        TrainingResult actual;
        await using (var hammer = new GcHammer())
        {
            actual = await new Trainer(pressured, hyper, train, validation, Path.Combine(_temp, "pressured")).RunAsync(cancellationToken: ct);
            Assert.True(hammer.Collections > 100, $"only {hammer.Collections} collections during the run");
        }

        Assert.Equal(expected.History.Select(e => (e.TrainLoss, e.ValidationUa)), actual.History.Select(e => (e.TrainLoss, e.ValidationUa)));
        var a = quiet.Network.state_dict();
        foreach (var (name, tensor) in pressured.Network.state_dict())
            Assert.True(tensor.equal(a[name]).all().item<bool>(), $"{name} differs");
    }
}
