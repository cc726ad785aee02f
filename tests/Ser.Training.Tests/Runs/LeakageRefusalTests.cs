using Ser.Core.Data;
using Ser.Core.Data.CremaD;
using Ser.Core.Data.Synthetic;
using Ser.Core.Models;
using Ser.Training.Recipes;
using Ser.Training.Runs;

namespace Ser.Training.Tests.Runs;

/// <summary>A run audits its split before training: the audit is saved with it, and an actor split whose sides share
/// audio is refused before any training.</summary>
public sealed class LeakageRefusalTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-leak-run-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task An_actor_split_of_a_corpus_with_one_recording_under_several_speakers_fails_naming_the_clips()
    {
        var synthetic = Path.Combine(_temp, "synthetic");
        SyntheticCorpusGenerator.Generate(synthetic, new SyntheticCorpusOptions { Actors = 6, Sentences = 1, Seed = 2 }, TestContext.Current.CancellationToken);
        var clips = CremaDCorpus.Load("s", synthetic).Clips;
        // The same recording filed under every other speaker: wherever the split puts them, one sits across from 1001.
        var lines = clips.Select(c => $"{Path.GetRelativePath(synthetic, c.Path)},{EmotionLabels.All[c.Label]},{c.Speaker},{c.Sex}").ToList();
        var original = clips.First(c => c.Speaker == "1001");
        foreach (var speaker in clips.Select(c => c.Speaker).Distinct().Where(s => s != "1001"))
        {
            File.Copy(original.Path, Path.Combine(synthetic, $"copy-{speaker}.wav"));
            lines.Add($"copy-{speaker}.wav,{EmotionLabels.All[original.Label]},{speaker},");
        }
        var manifest = Path.Combine(synthetic, "manifest.csv");
        File.WriteAllLines(manifest, ["file,label,speaker,sex", .. lines]);
        var runner = new TrainingRunner(new RunStore(Path.Combine(_temp, "runs")), new RunRegistry(Path.Combine(_temp, "registry.db")));
        var spec = new RunSpec(TrainingRunner.NewRunId(), "train", ModelArchitectures.ResNet18, "resnet18-tiny", "leaky", DatasetKinds.Csv, manifest,
            new SplitSpec(Validation: 0.2, Test: 0.2), ResNetRecipe.Defaults(new HyperParameters { Epochs = 1 }, ModelPresets.ResNet18Tiny), null, null, "cpu",
            DateTimeOffset.UtcNow);
        runner.Create(spec);

        var e = await Assert.ThrowsAsync<DatasetException>(() => runner.TrainAsync(spec.RunId, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("identical audio", e.Message, StringComparison.Ordinal);
        Assert.Contains("copy-", e.Message, StringComparison.Ordinal);
        Assert.Equal(RunState.Failed, runner.Registry.Find(spec.RunId)!.State);
        var audit = runner.Store.ReadLeakage(spec.RunId);
        Assert.NotNull(audit);
        Assert.True(audit.IdenticalAudioGroups > 0);
        Assert.Null(runner.Store.ReadTraining(spec.RunId)); // refused before training
    }
}
