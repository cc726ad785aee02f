namespace Ser.Core.Models;

/// <summary>Architecture names as the API and the run registry spell them.</summary>
public static class ModelArchitectures
{
    public const string Wav2Vec2 = "wav2vec2";
    public const string ResNet18 = "resnet18";

    public static readonly IReadOnlyList<string> All = [Wav2Vec2, ResNet18];
}
