using System.Numerics;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Core.Runtime;

/// <summary>One AdamW update (decoupled weight decay, PyTorch's formula) of a float32 CPU parameter in one pass over
/// its memory. libtorch's form takes nine operators a parameter (two of them allocate), ~100 bytes of traffic an
/// element against the 28 this pass reads and writes: ~110–150 ms of a wav2vec2-base training step on 2 cores.
/// Element by element, without fused multiply-adds, so every vector width and thread split gives the same bits.</summary>
public static unsafe class AdamWKernel
{
    /// <summary>Whether <see cref="Step"/> runs on these tensors: contiguous float32 CPU tensors of one shape, each
    /// within a span's 2 GiB.</summary>
    public static bool Supports(Tensor parameter, Tensor gradient, Tensor expAvg, Tensor expAvgSq)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        Tensor[] all = [parameter, gradient, expAvg, expAvgSq];
        return all.All(t => HostTensors.FitsSpan(t) && t.shape.SequenceEqual(parameter.shape));
    }

    /// <summary>Step <paramref name="step"/> (from 1) of AdamW in place: the parameter decayed by 1 − lr·decay, the
    /// moments updated from <paramref name="gradient"/>, then the parameter moved by −lr·m̂ / (√v̂ + eps).</summary>
    /// <exception cref="ArgumentException">Tensors <see cref="Supports"/> does not accept, or a step below 1.</exception>
    public static void Step(Tensor parameter, Tensor gradient, Tensor expAvg, Tensor expAvgSq, double learningRate,
        double beta1, double beta2, double eps, double weightDecay, long step)
    {
        if (!Supports(parameter, gradient, expAvg, expAvgSq))
            throw new ArgumentException("Expected contiguous float32 CPU tensors of the parameter's shape, each within 2 GiB.");
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        var count = parameter.numel();
        if (count == 0) return;
        // The scalars libtorch's operators would get, rounded to float32 as they round them.
        var constants = new Constants(
            Decay: (float)(1 - learningRate * weightDecay), Beta1: (float)beta1, New1: (float)(1 - beta1),
            Beta2: (float)beta2, New2: (float)(1 - beta2), Correction2: (float)Math.Sqrt(1 - Math.Pow(beta2, step)),
            Eps: (float)eps, StepSize: (float)-(learningRate / (1 - Math.Pow(beta1, step))));
        fixed (float* p = HostTensors.AsSpan(parameter), g = HostTensors.AsSpan(gradient), m = HostTensors.AsSpan(expAvg),
            v = HostTensors.AsSpan(expAvgSq))
        {
            var update = new Update(p, g, m, v, count, constants);
            OpenMpTeam.RunSized(count, update.Run);
        }
    }

    private readonly record struct Constants(float Decay, float Beta1, float New1, float Beta2, float New2,
        float Correction2, float Eps, float StepSize);

    // Elements split evenly between the threads.
    private sealed class Update(float* parameter, float* gradient, float* expAvg, float* expAvgSq, long count, Constants c)
    {
        public void Run(int thread, int threads)
        {
            var first = count * thread / threads;
            var last = count * (thread + 1) / threads;
            Span(first, last);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Span(long first, long last)
        {
            var i = first;
            for (; i + Vector<float>.Count <= last; i += Vector<float>.Count)
            {
                var g = Vector.Load(gradient + i);
                var m = Vector.Load(expAvg + i) * c.Beta1 + g * c.New1;
                var v = Vector.Load(expAvgSq + i) * c.Beta2 + g * c.New2 * g;
                var denominator = Vector.SquareRoot(v) / c.Correction2 + new Vector<float>(c.Eps);
                var p = Vector.Load(parameter + i) * c.Decay;
                (p + m * c.StepSize / denominator).Store(parameter + i);
                m.Store(expAvg + i);
                v.Store(expAvgSq + i);
            }
            for (; i < last; i++)
            {
                var g = gradient[i];
                var m = expAvg[i] * c.Beta1 + g * c.New1;
                var v = expAvgSq[i] * c.Beta2 + g * c.New2 * g;
                var denominator = MathF.Sqrt(v) / c.Correction2 + c.Eps;
                parameter[i] = parameter[i] * c.Decay + m * c.StepSize / denominator;
                expAvg[i] = m;
                expAvgSq[i] = v;
            }
        }
    }
}
