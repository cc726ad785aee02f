using System.Runtime.CompilerServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ser.Core.Runtime;

/// <summary>Dropout for training on the CPU with its mask drawn on every thread. libtorch draws a CPU dropout's Bernoulli
/// mask on one thread (its parallel MKL path is taken on Intel CPUs only): wav2vec2-base's dropouts took ~190 ms of a
/// ~2 s training step (batch 8 of 1.9 s clips, AMD Zen 5) while the other thread waited. Here element i is kept when a
/// hash of (seed, i) falls above p, the seed drawn from libtorch's default generator: the run's seed and a resumed run's
/// restored generator decide every mask, and its bits depend neither on the thread count nor on the CPU. The output is
/// libtorch's product of the input and the mask (0 or 1/(1−p), in the input's dtype), so autograd takes it as
/// libtorch's own dropout, whose backward is that product too.</summary>
public static unsafe class DropoutKernel
{
    // SplitMix64's increment: consecutive elements' counters land far apart before the mix.
    private const ulong Golden = 0x9E3779B97F4A7C15;

    /// <summary>Whether <see cref="Forward(Tensor, double, bool)"/> draws the mask itself: a float32 or bfloat16 CPU tensor
    /// of at most 2 GiB (the mask is reached through a span).</summary>
    public static bool Supports(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.device_type == DeviceType.CPU && input.dtype is ScalarType.Float32 or ScalarType.BFloat16
            && input.numel() <= MaxElements(input.dtype);
    }

    /// <summary><paramref name="layer"/>'s dropout (its <c>p</c>, in training mode only) of <paramref name="input"/>.</summary>
    public static Tensor Forward(Dropout layer, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(layer);
        return Forward(input, layer.p, layer.training);
    }

    /// <summary>Each element of <paramref name="input"/> zeroed with probability <paramref name="p"/> and the others
    /// divided by 1 − p, where <paramref name="training"/>; else <paramref name="input"/> unchanged (a new handle to it).
    /// Tensors the kernel does not <see cref="Supports"/>, and p = 1, take libtorch's dropout.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> outside [0, 1].</exception>
    public static Tensor Forward(Tensor input, double p, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfLessThan(p, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(p, 1.0);
        if (!training || p == 0.0 || input.numel() == 0) return input.alias();
        if (!Supports(input) || p == 1.0) return nn.functional.dropout(input, p, training);
        using var mask = Mask(input.shape, input.dtype, p, NextSeed());
        return input.mul(mask);
    }

    /// <summary>The mask <see cref="Forward(Tensor, double, bool)"/> multiplies by: in row-major order, element i is 0
    /// where the hash of (<paramref name="seed"/>, i) falls below p, else 1/(1 − p) rounded to <paramref name="dtype"/>.</summary>
    /// <exception cref="ArgumentException">Not float32 or bfloat16, over 2 GiB, or p outside [0, 1).</exception>
    public static Tensor Mask(long[] shape, ScalarType dtype, double p, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (dtype is not (ScalarType.Float32 or ScalarType.BFloat16)) throw new ArgumentException($"Expected float32 or bfloat16, got {dtype}.", nameof(dtype));
        if (p is < 0.0 or >= 1.0) throw new ArgumentException($"Expected 0 ≤ p < 1, got {p}.", nameof(p));
        // Checked before anything is allocated.
        var count = shape.Aggregate(1L, (product, size) => product * size);
        if (count > MaxElements(dtype)) throw new ArgumentException($"Expected at most {MaxElements(dtype)} {dtype} elements, got {count}.", nameof(shape));
        var mask = empty(shape, dtype);
        if (count == 0) return mask;
        // Dropped where the hash's top 53 bits, a uniform double's, fall below p·2⁵³.
        var threshold = (ulong)Math.Round(p * (1UL << 53));
        var scale = (float)(1.0 / (1.0 - p));
        fixed (byte* data = mask.bytes)
        {
            var fill = new Fill(data, dtype == ScalarType.BFloat16, count, seed, threshold, scale);
            OpenMpTeam.RunSized(count, fill.Run);
        }
        return mask;
    }

    private static long MaxElements(ScalarType dtype) => int.MaxValue / (dtype == ScalarType.BFloat16 ? sizeof(ushort) : sizeof(float));

    /// <summary>The seed each dropout draws for its mask: the next draw of libtorch's default generator, so manual_seed
    /// and a checkpoint's generator state decide it.</summary>
    public static ulong NextSeed()
    {
        using var draw = randint(long.MaxValue, [1], ScalarType.Int64);
        return (ulong)draw.item<long>();
    }

    // Elements split evenly between the threads.
    private sealed class Fill(byte* data, bool bfloat16, long count, ulong seed, ulong threshold, float scale)
    {
        public void Run(int thread, int threads)
        {
            var first = count * thread / threads;
            var last = count * (thread + 1) / threads;
            if (bfloat16) DrawBfloat16((ushort*)data, Bfloat16.FromFloat(scale), first, last, seed, threshold);
            else DrawFloat((uint*)data, BitConverter.SingleToUInt32Bits(scale), first, last, seed, threshold);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void DrawFloat(uint* to, uint kept, long first, long last, ulong seed, ulong threshold)
        {
            for (var i = first; i < last; i++) to[i] = kept & (uint)Keep(seed, threshold, i);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void DrawBfloat16(ushort* to, ushort kept, long first, long last, ulong seed, ulong threshold)
        {
            for (var i = first; i < last; i++) to[i] = (ushort)(kept & (uint)Keep(seed, threshold, i));
        }

        // All ones where element i is kept (the hash's top 53 bits at or above the threshold), else 0: no branch, whose
        // every tenth guess would fail.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong Keep(ulong seed, ulong threshold, long i) =>
            ~(ulong)((long)((Mix(seed + ((ulong)i + 1) * Golden) >> 11) - threshold) >> 63);
    }

    // SplitMix64's finaliser (Steele, Lea and Flood 2014): every output bit depends on every input bit.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
