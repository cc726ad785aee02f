using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

// Extends TorchSharp's SGD (banned elsewhere) to keep its parameter groups, state and checkpoint format.
#pragma warning disable RS0030

namespace Ser.Training.Optimizers;

/// <summary>SGD with momentum (optionally Nesterov) and L2 weight decay, TorchSharp's update operation for operation,
/// with every scalar held until libtorch returns (see <see cref="SafeAdamW"/>).</summary>
public sealed class SafeSgd(IEnumerable<Parameter> parameters, double learningRate, double momentum, double weightDecay, bool nesterov)
    : SGD(parameters, learningRate, momentum, dampening: 0, weight_decay: weightDecay, nesterov: nesterov, maximize: false)
{
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        var (momentum, weightDecay, nesterov) = (options.momentum!.Value, options.weight_decay!.Value, options.nesterov!.Value);
        using var decay = weightDecay.ToScalar();
        using var keep = momentum.ToScalar();
        using var take = (1 - options.dampening!.Value).ToScalar();
        using var rate = (-options.LearningRate!.Value).ToScalar();
        foreach (var param in group.Parameters)
        {
            var grad = param.grad;
            if (grad is null) continue;
            var state = (State)_state[param.Handle];
            if (weightDecay != 0) grad = grad.add(param, decay);
            if (momentum != 0)
            {
                var buffer = state.momentum_buffer;
                if (buffer is null)
                {
                    buffer = grad.clone().detach().DetachFromDisposeScope();
                    state.momentum_buffer = buffer;
                }
                else
                {
                    buffer.mul_(keep).add_(grad, take);
                }
                grad = nesterov ? grad.add(buffer, keep) : buffer;
            }
            param.add_(grad, rate);
        }
    }, closure);
}
