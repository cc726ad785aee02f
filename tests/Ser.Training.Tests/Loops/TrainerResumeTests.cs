using Ser.Core.Data.Splits;
using Ser.Core.Runtime;
using Ser.Training.Loops;
using Ser.Tests;
using Ser.Training.Runs;

namespace Ser.Training.Tests.Loops;

/// <summary>Training-heavy: runs alone (2 cores).</summary>
[CollectionDefinition(nameof(TrainerResumeTests), DisableParallelization = true)]
[Collection(nameof(TrainerResumeTests))]
public sealed class TrainerResumeTests : IClassFixture<SyntheticCorpusFixture>, IDisposable
{
    private readonly SyntheticCorpusFixture _corpus;
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-resume-").FullName;

    public TrainerResumeTests(SyntheticCorpusFixture corpus) => _corpus = corpus;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    public static TheoryData<string, int, string> Presets => new()
    {
        { "resnet18-tiny", 1, TrainingPrecision.Float32 }, { "wav2vec2-tiny", 2, TrainingPrecision.Float32 },
        { "resnet18-tiny", 1, TrainingPrecision.BFloat16 }, { "wav2vec2-tiny", 2, TrainingPrecision.BFloat16 },
    };

    // bf16 runs on any CPU (in hardware or emulated); judged on a CPU where it is faster, a bfloat16 request trains in
    // bf16 here too, whatever this machine's own verdict, so its resume path is tested everywhere.
    private static readonly CpuInfo Bf16Faster = new("AMD EPYC (Zen 4)", AvxBf16: true, Amx: false, Vendor: CpuInfo.Amd);

    private static ResolvedHyperParameters Hyper(string preset, int accumulation, string precision) => TinyRecipes.Resolve(preset,
        new HyperParameters { Epochs = 2, BatchSize = 6, GradientAccumulation = accumulation, CheckpointEverySteps = 2, Seed = 11, MaxSeconds = 1.5, Precision = precision });

    [Theory]
    [MemberData(nameof(Presets))]
    public async Task A_run_stopped_after_a_step_and_resumed_ends_bit_identical_to_an_uninterrupted_one(string preset, int accumulation, string precision)
    {
        using var slot = await TrainingSlot.AcquireAsync(TestContext.Current.CancellationToken);
        var split = Splitter.ByActor(_corpus.Corpus, seed: 1, validation: 0.2, test: 0.2);
        var train = split.Resolve(_corpus.Corpus, split.Train);
        var validation = split.Resolve(_corpus.Corpus, split.Validation);
        var hyper = Hyper(preset, accumulation, precision);
        var ct = TestContext.Current.CancellationToken;

        using var straight = TinyRecipes.Create(preset, hyper);
        var expected = await new Trainer(straight, hyper, train, validation, Path.Combine(_temp, "a")) { Cpu = Bf16Faster }.RunAsync(cancellationToken: ct);

        using (var first = TinyRecipes.Create(preset, hyper))
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var progress = new CallbackProgress<TrainingProgress>(p => { if (p.Phase == "step" && p.Step == 3) stop.Cancel(); });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                new Trainer(first, hyper, train, validation, Path.Combine(_temp, "b")) { Cpu = Bf16Faster }.RunAsync(progress, stop.Token));
        }
        using var resumed = TinyRecipes.Create(preset, hyper);
        var actual = await new Trainer(resumed, hyper, train, validation, Path.Combine(_temp, "b")) { Cpu = Bf16Faster }.RunAsync(cancellationToken: ct);

        Assert.Equal(3, actual.ResumedFromStep);
        Assert.Equal(precision, actual.Precision);
        Assert.Equal(expected.Steps, actual.Steps);
        Assert.Equal(expected.History.Select(h => (h.TrainLoss, h.ValidationUa)), actual.History.Select(h => (h.TrainLoss, h.ValidationUa)));
        var a = straight.Network.state_dict();
        foreach (var (name, tensor) in resumed.Network.state_dict())
            Assert.True(tensor.equal(a[name]).all().item<bool>(), $"{name} differs");
    }

    [Fact]
    public async Task A_bfloat16_request_on_a_cpu_where_bf16_is_no_faster_trains_in_float32_and_logs_why()
    {
        using var slot = await TrainingSlot.AcquireAsync(TestContext.Current.CancellationToken);
        var split = Splitter.ByActor(_corpus.Corpus, seed: 1, validation: 0.2, test: 0.2);
        var hyper = Hyper("resnet18-tiny", 1, TrainingPrecision.BFloat16) with { Epochs = 1 };
        var slower = new CpuInfo("Intel Xeon (AMX not exposed)", AvxBf16: true, Amx: false, Vendor: "GenuineIntel");
        var log = new ListLogger();
        using var model = TinyRecipes.Create("resnet18-tiny", hyper);

        var result = await new Trainer(model, hyper, split.Resolve(_corpus.Corpus, split.Train), split.Resolve(_corpus.Corpus, split.Validation),
            Path.Combine(_temp, "c"), logger: log) { Cpu = slower }.RunAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(TrainingPrecision.Float32, result.Precision);
        Assert.Contains(log.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning
            && e.Message.Contains("no faster than fp32", StringComparison.Ordinal) && e.Message.Contains(slower.Model, StringComparison.Ordinal));
    }
}
