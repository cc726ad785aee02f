using Ser.Core.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ser.Core.Models.Wav2Vec2;

/// <summary>Position-wise feed-forward: <c>intermediate_dense</c> → GELU → <c>output_dense</c>.</summary>
public sealed class Wav2Vec2FeedForward : nn.Module<Tensor, Tensor>
{
    private readonly Linear intermediate_dense;
    private readonly Linear output_dense;
    private readonly Dropout intermediate_dropout;
    private readonly Dropout output_dropout;

    public Wav2Vec2FeedForward(Wav2Vec2Config config) : base(nameof(Wav2Vec2FeedForward))
    {
        ArgumentNullException.ThrowIfNull(config);
        intermediate_dense = nn.Linear(config.HiddenSize, config.IntermediateSize);
        output_dense = nn.Linear(config.IntermediateSize, config.HiddenSize);
        intermediate_dropout = nn.Dropout(config.ActivationDropout);
        output_dropout = nn.Dropout(config.HiddenDropout);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = LinearKernel.ForwardGelu(intermediate_dense, input);
        return DropoutKernel.Forward(output_dropout, LinearKernel.Forward(output_dense, DropoutKernel.Forward(intermediate_dropout, x)))
            .MoveToOuterDisposeScope();
    }
}
