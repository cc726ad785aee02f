using Ser.Core.Runtime;
using TorchSharp;
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
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var first = conv_layers[0].forward(input.unsqueeze(1));
        var x = OnFrames(first)
            ? _faster.Run((first.dtype, first.shape[0] > 1, (int)Math.Log2(first.shape[2])), () => Channels(first), () => Frames(first))
            : Channels(first);
        return x.MoveToOuterDisposeScope();
    }

    private Tensor Channels(Tensor first)
    {
        var x = first;
        for (var i = 1; i < conv_layers.Count; i++) x = conv_layers[i].forward(x);
        return x.transpose(1, 2);
    }

    private Tensor Frames(Tensor first)
    {
        var x = first.transpose(1, 2).contiguous();
        for (var i = 1; i < conv_layers.Count; i++) x = conv_layers[i].ForwardFrames(x);
        return x;
    }

    // Inference on CPU may run the layers after the first time-major, each one matrix product over strided windows
    // (Wav2Vec2ConvLayer.ForwardFrames), where oneDNN's direct convolution is slow on long inputs: wav2vec2-base's
    // second layer at 3 s took 28 ms as a convolution, 20 as a product on AMD Zen 5, the whole model 5 % less time at
    // 30 s; on Zen 4 its convolutions ran faster than its products. So each process times both per length band.
    private readonly FasterOf<(ScalarType DType, bool Batched, int Log2Time)> _faster = new();

    private bool OnFrames(Tensor first) =>
        first.device_type == DeviceType.CPU && !is_grad_enabled() && conv_layers.Skip(1).All(l => l.RunsOnFrames);
}
