using Ser.Core.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ser.Core.Models.Wav2Vec2;

/// <summary>Layer norm over the conv features, then a linear map to the transformer width.</summary>
public sealed class Wav2Vec2FeatureProjection : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm layer_norm;
    private readonly Linear projection;
    private readonly Dropout dropout;

    public Wav2Vec2FeatureProjection(Wav2Vec2Config config) : base(nameof(Wav2Vec2FeatureProjection))
    {
        ArgumentNullException.ThrowIfNull(config);
        layer_norm = nn.LayerNorm(config.ConvDim[^1], config.LayerNormEps);
        projection = nn.Linear(config.ConvDim[^1], config.HiddenSize);
        dropout = nn.Dropout(config.FeatProjDropout);
        RegisterComponents();
    }

    /// <summary>[batch, frames, conv_dim] → [batch, frames, hidden].</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return DropoutKernel.Forward(dropout, LinearKernel.Forward(projection, layer_norm.forward(input))).MoveToOuterDisposeScope();
    }
}
