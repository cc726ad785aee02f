using Ser.Core.Data;
using Ser.Core.Models;
using Ser.Core.Models.Checkpoints;
using Ser.Core.Models.ResNet;
using Ser.Core.Models.Wav2Vec2;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Ser.Training.Tests.BaseCheckpoints;

/// <summary>Small checkpoints in hub layouts, made with Ser's own save code.</summary>
internal static class TinyCheckpoints
{
    /// <summary>A Hugging Face folder of the wav2vec2-tiny preset: config.json, preprocessor_config.json and model.safetensors.</summary>
    public static string Wav2Vec2(string folder)
    {
        manual_seed(5);
        using var model = new Wav2Vec2ForSequenceClassification(ModelPresets.Wav2Vec2Tiny.Wav2Vec2!);
        Wav2Vec2Checkpoint.Save(model, folder);
        return folder;
    }

    /// <summary>The same layout with pytorch_model.bin (pickled) instead of model.safetensors.</summary>
    public static string Wav2Vec2Bin(string folder)
    {
        Wav2Vec2(folder);
        var weights = Path.Combine(folder, Wav2Vec2Checkpoint.WeightsFile);
        var tensors = SafeTensorsFile.Read(weights);
        PyTorchPickler.PickleStateDict(Path.Combine(folder, "pytorch_model.bin"), tensors);
        foreach (var t in tensors.Values) t.Dispose();
        File.Delete(weights);
        return folder;
    }

    /// <summary>Logits of the model in <paramref name="folder"/> for a fixed input, loaded the way training loads it.</summary>
    public static float[] Logits(string folder)
    {
        using var model = Wav2Vec2Checkpoint.Load(folder, EmotionLabels.All);
        model.eval();
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        // Not from libtorch's global generator: tests running in parallel draw from it too.
        var random = new Random(9);
        using var input = tensor(Enumerable.Range(0, 16000).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).reshape(1, 16000);
        return model.forward(input, null).data<float>().ToArray();
    }

    /// <summary>An ImageNet-shaped torchvision resnet18 state dict (3-channel conv1, 1,000-class fc) at the tiny width.</summary>
    public static ResNet18 ImageNetResNet(string path)
    {
        manual_seed(7);
        var model = new ResNet18(1000, inChannels: 3, baseWidth: ModelPresets.ResNet18Tiny.ResNet!.BaseWidth);
        ResNetCheckpoint.Save(model, path);
        return model;
    }
}
