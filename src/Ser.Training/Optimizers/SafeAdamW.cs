using Ser.Core.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

// Extends TorchSharp's AdamW (banned elsewhere) to keep its parameter groups, state and checkpoint format.
#pragma warning disable RS0030

namespace Ser.Training.Optimizers;

/// <summary>AdamW (decoupled weight decay) with TorchSharp's update: on float32 CPU parameters in one pass over their
/// memory (<see cref="AdamWKernel"/>, within a float32 rounding of it), elsewhere operation for operation, except
/// that every scalar handed to libtorch is held until the call returns. TorchSharp's own step converts numbers to
/// temporary scalars that the GC may free during the native call; under allocation pressure (a service answering
/// requests while it trains) that corrupted updates or failed with "Expected false to be true".</summary>
/// <param name="groups">Parameter groups, each with its learning rate; PyTorch's defaults otherwise (betas 0.9 and
/// 0.999, eps 1e-8; no amsgrad, no maximize).</param>
public sealed class SafeAdamW(IEnumerable<(IEnumerable<Parameter> Parameters, double LearningRate)> groups, double weightDecay)
    : AdamW(groups.Select(g => new ParamGroup(g.Parameters, g.LearningRate, 0.9, 0.999, 1e-8, weightDecay, false, false)).ToArray())
{
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        var (beta1, beta2, lr) = (options.beta1!.Value, options.beta2!.Value, options.LearningRate!.Value);
        using var decay = (1 - lr * options.weight_decay!.Value).ToScalar();
        using var keep1 = beta1.ToScalar();
        using var new1 = (1 - beta1).ToScalar();
        using var keep2 = beta2.ToScalar();
        using var new2 = (1 - beta2).ToScalar();
        using var eps = options.eps!.Value.ToScalar();
        foreach (var param in group.Parameters)
        {
            var grad = param.grad;
            if (grad is null) continue;
            var state = (State)_state[param.Handle];
            state.step += 1;
            if (AdamWKernel.Supports(param, grad, state.exp_avg, state.exp_avg_sq))
            {
                AdamWKernel.Step(param, grad, state.exp_avg, state.exp_avg_sq, lr, beta1, beta2, options.eps!.Value,
                    options.weight_decay!.Value, state.step);
                continue;
            }
            param.mul_(decay);
            state.exp_avg.mul_(keep1).add_(grad, new1);
            state.exp_avg_sq.mul_(keep2).addcmul_(grad, grad, new2);
            using var correction2 = Math.Sqrt(1 - Math.Pow(beta2, state.step)).ToScalar();
            using var stepSize = (-(lr / (1 - Math.Pow(beta1, state.step)))).ToScalar();
            var denominator = state.exp_avg_sq.sqrt().div(correction2).add_(eps, Scalars.One);
            param.addcdiv_(state.exp_avg, denominator, stepSize);
        }
    }, closure);
}
