using Ser.Core.Models.Checkpoints;
using Ser.Core.Models.Wav2Vec2;
using static TorchSharp.torch;

namespace Ser.Tests;

/// <summary>The tiny reference Wav2Vec2 models of ../shared/fixtures, in either key layout.</summary>
internal static class Wav2Vec2Fixture
{
    public static readonly string[] Models = ["wav2vec2-tiny-base", "wav2vec2-tiny-stable"];

    /// <summary>A model folder as HF lays it out, built in a temp dir from the fixture's files.</summary>
    public static string Folder(string model, bool parametrizations, string temp)
    {
        var dir = Path.Combine(temp, $"{model}-{(parametrizations ? "param" : "gv")}");
        Directory.CreateDirectory(dir);
        File.Copy(TestPaths.Fixture(model, "config.json"), Path.Combine(dir, "config.json"), overwrite: true);
        File.Copy(TestPaths.Fixture(model, parametrizations ? "model.parametrizations.safetensors" : "model.safetensors"),
            Path.Combine(dir, "model.safetensors"), overwrite: true);
        return dir;
    }

    /// <summary>The classifier with the fixture's head weights (projector, classifier, layer weights).</summary>
    public static Wav2Vec2ForSequenceClassification Load(string model, bool parametrizations, string temp, bool weighted = false)
    {
        var classifier = Wav2Vec2Checkpoint.Load(Folder(model, parametrizations, temp), adjust: c => c with { UseWeightedLayerSum = weighted });
        var head = SafeTensorsFile.Read(TestPaths.Fixture(model, "head.safetensors"));
        if (!weighted) head.Remove("layer_weights", out var unused);
        using (no_grad())
        {
            var state = classifier.state_dict();
            foreach (var (k, v) in head) state[k].copy_(v);
        }
        classifier.eval();
        return classifier;
    }

    public static Dictionary<string, Tensor> Cases(string model) => SafeTensorsFile.Read(TestPaths.Fixture(model, "cases.safetensors"));

    public static float MaxAbsDiff(Tensor a, Tensor b)
    {
        Assert.Equal(b.shape, a.shape);
        return (a - b).abs().max().item<float>();
    }
}
