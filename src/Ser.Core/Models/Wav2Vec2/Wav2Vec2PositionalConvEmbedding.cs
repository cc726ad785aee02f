using static TorchSharp.torch;

namespace Ser.Core.Models.Wav2Vec2;

/// <summary>Relative position information from a wide grouped convolution over time (weight-normed),
/// trimmed by one frame for even kernels ("same" padding), then GELU.</summary>
public sealed class Wav2Vec2PositionalConvEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly WeightNormConv1d conv;
    private readonly bool _trimLast;

    public Wav2Vec2PositionalConvEmbedding(Wav2Vec2Config config) : base(nameof(Wav2Vec2PositionalConvEmbedding))
    {
        ArgumentNullException.ThrowIfNull(config);
        conv = new WeightNormConv1d(config.HiddenSize, config.NumConvPosEmbeddings, config.NumConvPosEmbeddingGroups,
            config.NumConvPosEmbeddings / 2);
        _trimLast = config.NumConvPosEmbeddings % 2 == 0;
        RegisterComponents();
    }

    /// <summary>For a model that only infers: the weight norm computed once (<see cref="WeightNormConv1d.FreezeWeight"/>).</summary>
    public void FreezeWeight() => conv.FreezeWeight();

    /// <summary>[batch, frames, hidden] → [batch, frames, hidden].</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = conv.forward(input.transpose(1, 2));
        if (_trimLast) x = x[.., .., ..^1];
        return nn.functional.gelu(x).transpose(1, 2).MoveToOuterDisposeScope();
    }
}
