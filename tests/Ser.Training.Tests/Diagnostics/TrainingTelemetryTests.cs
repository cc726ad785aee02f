using System.Diagnostics;
using System.Diagnostics.Metrics;
using Ser.Core.Data.Splits;
using Ser.Core.Diagnostics;
using Ser.Training.Loops;
using Ser.Training.Tests.Loops;
using Ser.Tests;
using Ser.Training.Runs;

namespace Ser.Training.Tests.Diagnostics;

/// <summary>Each training epoch is a "ser.training.epoch" span of the "Ser" source and a "ser.training.epochs" count.
/// Training-heavy: runs alone (2 cores).</summary>
[Collection(nameof(TrainerResumeTests))]
public sealed class TrainingTelemetryTests(SyntheticCorpusFixture corpus) : IClassFixture<SyntheticCorpusFixture>, IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-epoch-trace-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task Every_epoch_is_a_span_with_its_number_and_a_count_by_architecture()
    {
        using var slot = await TrainingSlot.AcquireAsync(TestContext.Current.CancellationToken);
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == SerTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { if (a.OperationName == "ser.training.epoch") lock (spans) spans.Add(a); },
        };
        ActivitySource.AddActivityListener(listener);
        var epochs = new List<(long Value, object? Architecture)>();
        using var meters = new MeterListener
        {
            // By name: the instruments may be published from SerTelemetry's own static initializer.
            InstrumentPublished = (i, l) => { if (i.Meter.Name == SerTelemetry.Name && i.Name == "ser.training.epochs") l.EnableMeasurementEvents(i); },
        };
        meters.SetMeasurementEventCallback<long>((_, value, tags, _) => { lock (epochs) epochs.Add((value, tags[0].Value)); });
        meters.Start();
        // A trace of our own: spans of other tests in this process (if any) are not counted.
        using var root = new Activity("test-root").Start();
        var split = Splitter.ByActor(corpus.Corpus, seed: 1, validation: 0.2, test: 0.2);
        var hyper = TinyRecipes.Resolve("resnet18-tiny", new HyperParameters { Epochs = 2, BatchSize = 6, Seed = 11, MaxSeconds = 1.5 });
        using var model = TinyRecipes.Create("resnet18-tiny", hyper);
        var trainer = new Trainer(model, hyper, split.Resolve(corpus.Corpus, split.Train), split.Resolve(corpus.Corpus, split.Validation),
            Path.Combine(_temp, "checkpoints"));

        await trainer.RunAsync(null, TestContext.Current.CancellationToken);

        var ours = spans.Where(s => s.TraceId == root.TraceId).OrderBy(s => s.StartTimeUtc).ToList();
        Assert.Equal([1, 2], ours.Select(s => (int)s.GetTagItem("ser.epoch")!));
        Assert.All(ours, s => Assert.Equal((model.Architecture, 2, root.SpanId), ((string)s.GetTagItem(SerTelemetry.ArchitectureTag)!, (int)s.GetTagItem("ser.epochs")!, s.ParentSpanId)));
        Assert.All(ours, s => Assert.NotNull(s.GetTagItem("ser.loss")));
        Assert.True(epochs.Count(e => Equals(e.Architecture, model.Architecture)) >= 2);
    }
}
