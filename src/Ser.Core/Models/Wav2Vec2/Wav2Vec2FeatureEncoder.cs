using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ser.Core.Models.Wav2Vec2;

/// <summary>The conv feature encoder (HF <c>feature_extractor</c>): raw 16 kHz samples → one frame per 20 ms.
/// Base models group-normalise only the first layer; stable-layer-norm models layer-normalise every layer.</summary>
public sealed class Wav2Vec2FeatureEncoder : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Wav2Vec2ConvLayer> conv_layers = new();

    public Wav2Vec2FeatureEncoder(Wav2Vec2Config config) : base(nameof(Wav2Vec2FeatureEncoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        var layerNorm = config.FeatExtractNorm == "layer";
        for (var i = 0; i < config.ConvDim.Count; i++)
        {
            var norm = layerNorm ? Wav2Vec2ConvLayer.Norm.Layer
                : i == 0 ? Wav2Vec2ConvLayer.Norm.Group : Wav2Vec2ConvLayer.Norm.None;
            conv_layers.Add(new Wav2Vec2ConvLayer(i == 0 ? 1 : config.ConvDim[i - 1], config.ConvDim[i],
                config.ConvKernel[i], config.ConvStride[i], config.ConvBias, norm, config.LayerNormEps));
        }
        RegisterComponents();
    }

    /// <summary>[batch, samples] → [batch, frames, conv_dim[-1]].</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input.unsqueeze(1);
        foreach (var layer in conv_layers) x = layer.forward(x);
        return x.transpose(1, 2).MoveToOuterDisposeScope();
    }
}
