using Ser.Core.Models;
using Ser.Core.Models.Checkpoints;
using Ser.Core.Models.Wav2Vec2;
using Ser.Training.Loops;
using static TorchSharp.torch;

namespace Ser.Training.Tests.Loops;

public sealed class TrainingCheckpointTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-trainck-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void Weights_saved_before_masked_spec_embed_was_kept_restore_and_other_missing_keys_fail()
    {
        using var saved = new Wav2Vec2ForSequenceClassification(ModelPresets.Wav2Vec2Tiny.Wav2Vec2!);
        TrainingCheckpoint.SaveBest(_temp, saved);
        var path = Directory.GetFiles(_temp).Single();
        var weights = SafeTensorsFile.Read(path);
        weights.Remove(Wav2Vec2Checkpoint.MaskedSpecEmbed);
        SafeTensorsFile.Write(path, weights);
        using var restored = new Wav2Vec2ForSequenceClassification(ModelPresets.Wav2Vec2Tiny.Wav2Vec2!);
        using (no_grad()) foreach (var p in restored.parameters()) p.zero_();

        Assert.True(TrainingCheckpoint.RestoreBest(_temp, restored));
        using var expected = saved.state_dict()["classifier.weight"];
        using var actual = restored.state_dict()["classifier.weight"];
        Assert.True(actual.equal(expected).all().item<bool>());

        weights.Remove("classifier.weight");
        SafeTensorsFile.Write(path, weights);
        var e = Assert.Throws<CheckpointException>(() => TrainingCheckpoint.RestoreBest(_temp, restored));
        Assert.Contains("classifier.weight", e.Message, StringComparison.Ordinal);
    }
}
