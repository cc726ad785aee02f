using Ser.Core.Models.ResNet;
using Ser.Core.Models.Wav2Vec2;

namespace Ser.Core.Models;

/// <summary>A named model configuration (the API's <c>preset</c>): exactly one of <see cref="Wav2Vec2"/> and
/// <see cref="ResNet"/> is set.</summary>
/// <param name="MaxSeconds">Longest clip used in training (random crop); inference windows use the API's settings.</param>
/// <param name="ReferenceOf">For the reference study's recipes (<c>*-seed</c>): the preset whose network and pretrained
/// weights they start from; their runs default to the study's split and hyper-parameters.</param>
public sealed record ModelPreset(string Name, string Architecture, string Description, double MaxSeconds,
    Wav2Vec2Config? Wav2Vec2 = null, ResNetSpec? ResNet = null, string? ReferenceOf = null)
{
    /// <summary>The preset whose base checkpoint this one starts from (itself, unless a reference recipe).</summary>
    public string BaseName => ReferenceOf ?? Name;
}
