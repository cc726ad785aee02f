using Ser.Core.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ser.Training.Loops;

/// <summary>bfloat16 mixed-precision training without autocast (TorchSharp has none): a twin of the network whose
/// convolutions and linear layers hold bf16 copies of the master weights, while its norm layers stay fp32 (libtorch runs
/// them on bf16 activations). Forward and backward run on the twin; its gradients become the fp32 master's, the
/// optimizer steps the master, and the twin takes the new weights back. The master (what is validated, checkpointed and
/// saved) never holds anything but fp32; the twin's running statistics are copied to it after every step.</summary>
public sealed class Bf16Twin : IDisposable
{
    private readonly (Parameter Master, Parameter Twin)[] _parameters;
    private readonly (Tensor Master, Tensor Twin)[] _buffers;

    /// <param name="master">The fp32 network the optimizer steps.</param>
    /// <param name="twin">A fresh network of the same architecture on the same device; this object owns it.</param>
    public Bf16Twin(nn.Module master, nn.Module twin)
    {
        ArgumentNullException.ThrowIfNull(master);
        ArgumentNullException.ThrowIfNull(twin);
        Module = twin;
        twin.to(ScalarType.BFloat16);
        foreach (var (_, module) in twin.named_modules())
            if (module is BatchNorm or LayerNorm or GroupNorm) module.to(ScalarType.Float32);
        var masterParameters = master.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        _parameters = [.. twin.named_parameters().Select(p => (masterParameters[p.name], p.parameter))];
        foreach (var (m, t) in _parameters) t.requires_grad = m.requires_grad;
        var masterBuffers = master.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        _buffers = [.. twin.named_buffers().Select(b => (masterBuffers[b.name], b.buffer))];
        // Every weight and statistic from the master, after the casts (casting the norms back would have left theirs rounded
        // to bf16, and a resumed run would not continue bit-identically).
        using var guard = no_grad();
        foreach (var (m, t) in _parameters) t.copy_(m);
        foreach (var (m, t) in _buffers) t.copy_(m);
    }

    /// <summary>The network to run the training step on; feed it <see cref="Input"/>.</summary>
    public nn.Module Module { get; }

    /// <summary>The batch's floating-point input in the twin's precision.</summary>
    public static Tensor Input(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.is_floating_point() ? input.to(ScalarType.BFloat16) : input;
    }

    /// <summary>After each backward: the twin's gradients added, in fp32, to the master's (accumulated batches sum there,
    /// not in bf16), and the twin's cleared.</summary>
    public void AccumulateGradients()
    {
        using var guard = no_grad();
        foreach (var (m, t) in _parameters)
        {
            if (!m.requires_grad || t.grad is not { } g) continue;
            if (m.grad is { } existing) existing.add_(g, Scalars.One);
            else m.grad = g.dtype == m.dtype ? g.clone() : g.to(m.dtype); // never the twin's own tensor: it is cleared next
            g.zero_();
        }
    }

    /// <summary>After the optimizer step: the master's new weights into the twin, the twin's running statistics into the master.</summary>
    public void Synchronise()
    {
        using var guard = no_grad();
        foreach (var (m, t) in _parameters) t.copy_(m);
        foreach (var (m, t) in _buffers) m.copy_(t);
    }

    public void Dispose() => Module.Dispose();
}
