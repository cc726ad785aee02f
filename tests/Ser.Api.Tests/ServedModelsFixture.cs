using Ser.Core.Data;
using Ser.Core.Models;
using Ser.Core.Models.ResNet;
using Ser.Core.Models.Wav2Vec2;
using static TorchSharp.torch;

namespace Ser.Api.Tests;

/// <summary>Tiny random models saved in their serving formats (an HF folder, a Ser ResNet folder), for the API to load.</summary>
public sealed class ServedModelsFixture : IDisposable
{
    public ServedModelsFixture()
    {
        Root = Directory.CreateTempSubdirectory("ser-api-models-").FullName;
        manual_seed(5);
        using var wav2vec2 = new Wav2Vec2ForSequenceClassification(ModelPresets.Wav2Vec2Tiny.Wav2Vec2!);
        Wav2Vec2Checkpoint.Save(wav2vec2, Wav2Vec2Path);
        var spec = ModelPresets.ResNet18Tiny.ResNet!;
        using var resnet = new ResNet18(6, spec.InChannels, spec.BaseWidth);
        ResNetModelFolder.Save(resnet, new ResNetModelFolder.Description("resnet18-tiny", spec.BaseWidth, spec.InChannels, spec.FrontEnd,
            spec.WindowSeconds, EmotionLabels.All), ResNetPath);
    }

    public string Root { get; }

    public string Wav2Vec2Path => Path.Combine(Root, "wav2vec2");

    public string ResNetPath => Path.Combine(Root, "resnet18");

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
