using static TorchSharp.torch;

namespace Ser.Core.Models.Wav2Vec2;

/// <summary>Backbone outputs. <see cref="HiddenStates"/> follows HF's <c>output_hidden_states</c>
/// (layers + 1 entries) when requested, else holds only the last state.</summary>
/// <param name="ConvFeatures">Conv feature encoder output [batch, frames, conv_dim], before the projection.</param>
/// <param name="FrameMask">[batch, frames] bool, true for real frames; null when the batch had no padding.</param>
public sealed record Wav2Vec2Output(Tensor ConvFeatures, IReadOnlyList<Tensor> HiddenStates, Tensor? FrameMask) : IDisposable
{
    public Tensor LastHiddenState => HiddenStates[^1];

    public void Dispose()
    {
        ConvFeatures.Dispose();
        foreach (var h in HiddenStates) h.Dispose();
        FrameMask?.Dispose();
    }
}
