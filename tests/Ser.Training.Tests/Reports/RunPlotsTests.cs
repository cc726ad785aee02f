using Ser.Core.Data;
using Ser.Core.Data.Splits;
using Ser.Core.Evaluation;
using Ser.Core.Models;
using Ser.Training.Loops;
using Ser.Training.Recipes;
using Ser.Training.Reports;
using Ser.Training.Runs;

namespace Ser.Training.Tests.Reports;

public sealed class RunPlotsTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-plots-").FullName;
    private readonly RunStore _store;

    public RunPlotsTests() => _store = new RunStore(_temp);

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static readonly Corpus Corpus = new("c", "csv", "/x",
        from s in Enumerable.Range(0, 10) from i in Enumerable.Range(0, 6)
        select new ClipInfo($"s{s}_{i}", "/x", i, $"spk{s}", s % 2 == 0 ? "female" : "male"));

    private EvaluationReport AddRun(string id, bool trained)
    {
        var split = Splitter.ByActor(Corpus, 1, 0.2, 0.2);
        _store.WriteSpec(new RunSpec(id, "train", "resnet18", "resnet18-tiny", "c", "csv", "/x", new SplitSpec(Seed: 1),
            ResNetRecipe.Defaults(new HyperParameters(), ModelPresets.ResNet18Tiny), null, null, "cpu", DateTimeOffset.UtcNow));
        _store.WriteSplit(id, split);
        if (trained)
            _store.WriteTraining(id, new TrainingResult(2, 0.5,
                [new EpochMetrics(1, 10, 1.7, 1e-3, 0.3, 0.3, 0.2, 5, 40), new EpochMetrics(2, 20, 1.2, 1e-3, 0.5, 0.5, 0.4, 5, 40)], false, 20, 10, null));
        var predictions = split.Resolve(Corpus, split.Test).Select(c =>
        {
            var p = new float[6];
            p[c.Label] = 1;
            return new ClipPrediction(c.Id, c.Label, c.Label, p, c.Sex);
        }).ToArray();
        return Evaluator.Evaluate(predictions, 1, resamples: 20);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // an evaluation run: no training history, an empty learning curve
    public void A_single_run_gets_its_confusion_f1_and_learning_curve_as_png(bool trained)
    {
        var report = AddRun("r-a", trained);

        RunPlots.Write(_store, "r-a", report);

        var folder = RunPlots.Directory(_store, "r-a");
        Assert.Equal(Path.Combine(_store.Directory("r-a"), "plots"), folder);
        Assert.Equal(RunPlots.Names.Select(n => n + ".png").Order(StringComparer.Ordinal),
            Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var file in Directory.GetFiles(folder))
            Assert.Equal(PngSignature, File.ReadAllBytes(file).Take(8));
        Assert.Empty(Directory.GetDirectories(_store.Directory("r-a"), "*tmp*")); // written through a temp folder, nothing left over
    }

    [Fact]
    public void Drawing_again_replaces_the_folder()
    {
        var report = AddRun("r-a", trained: true);
        RunPlots.Write(_store, "r-a", report);
        File.WriteAllText(Path.Combine(RunPlots.Directory(_store, "r-a"), "stale.png"), "x");

        RunPlots.Write(_store, "r-a", report);

        Assert.False(File.Exists(Path.Combine(RunPlots.Directory(_store, "r-a"), "stale.png")));
    }
}
