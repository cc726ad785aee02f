using Ser.Core.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ser.Core.Models.Wav2Vec2;

/// <summary>Hugging Face's <c>_init_weights</c> for Wav2Vec2, in one place: linears N(0, 0.02) with zero bias,
/// norms 1/0, feature-encoder convs Kaiming-normal, the positional conv N(0, 2/√(k·C)).</summary>
internal static class Wav2Vec2Initializer
{
    private const double InitializerRange = 0.02;

    public static void Apply(nn.Module root)
    {
        using var guard = no_grad();
        foreach (var (name, module) in root.named_modules())
        {
            switch (module)
            {
                case Linear linear when name.EndsWith("feature_projection.projection", StringComparison.Ordinal):
                    var k = 1 / Math.Sqrt(linear.in_features);
                    linear.weight!.uniform_(-k, k);
                    linear.bias?.uniform_(-k, k);
                    break;
                case Linear linear:
                    linear.weight!.normal_(0, InitializerRange);
                    linear.bias?.zero_();
                    break;
                case LayerNorm or GroupNorm:
                    foreach (var (pname, p) in module.named_parameters(recurse: false))
                        _ = pname == "weight" ? p.fill_(Scalars.OfInteger(1)) : p.zero_();
                    break;
                case Conv1d conv:
                    nn.init.kaiming_normal_(conv.weight);
                    if (conv.bias is not null)
                    {
                        var bound = Math.Sqrt(conv.groups / (double)(conv.in_channels * conv.kernel_size[0]));
                        conv.bias.uniform_(-bound, bound);
                    }
                    break;
                case WeightNormConv1d positional:
                    positional.Reinitialize();
                    break;
            }
        }
    }
}
