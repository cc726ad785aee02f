using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Ser.Core.Runtime;

/// <summary>Which of two computations of the same function runs faster on this CPU, measured once per key, intra-op
/// thread count (<see cref="IntraOpThreads"/>) and process before any result depends on it: every call at that count in
/// a process then runs the same computation, so a clip's outputs are the same to the last bit within a process at a
/// given count (processes that chose differently may differ in the last digits). The count is part of the choice because
/// the answer changes with it: on libtorch, wav2vec2-base's feature encoder on AMD Zen 5 runs faster as oneDNN's
/// convolutions on one thread and as time-major products on two.
/// oneDNN picks different kernels for the same layer on AMD Zen 4 and Zen 5, so no choice measured on one CPU is
/// hard-coded. The second computation is chosen only if it is faster and its result agrees with the first's: a kernel
/// that sums wrong on some CPU is never kept for speed. Ser's kernels measured here are compiled optimized from their
/// first call (<c>MethodImplOptions.AggressiveOptimization</c>): under tiered compilation they would still run
/// unoptimized code at a model's load and lose choices they win later.</summary>
public static class MeasuredChoice
{
    /// <summary>Timed runs of each computation, after one untimed run (kernel compilation, weight packing).</summary>
    public const int Rounds = 3;

    private static readonly ConcurrentDictionary<string, Lazy<bool>> Choices = new();

    /// <summary>Whether <paramref name="second"/> was chosen for <paramref name="key"/> at the calling thread's intra-op
    /// thread count; measured on the first call with that key and count, on the input <paramref name="sample"/> builds
    /// then (the computations are run <see cref="Rounds"/> + 1 times each, then discarded). Later calls build no sample.</summary>
    /// <param name="settle">A pause before each timed run, so neither computation runs while the other's idle worker
    /// threads still spin (OpenMP's spin ~5 ms after each parallel region and take a core from threads of its own).</param>
    public static bool PrefersSecond(string key, Func<Tensor> sample, Func<Tensor, Tensor> first, Func<Tensor, Tensor> second,
        TimeSpan settle = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        return Choices.GetOrAdd(KeyAt(key, get_num_threads()), _ => new Lazy<bool>(() => Measure(sample, first, second, settle))).Value;
    }

    /// <summary>How <see cref="Made"/> names <paramref name="key"/>'s choice at <paramref name="threads"/> intra-op threads.</summary>
    public static string KeyAt(string key, int threads) => $"{key} [{threads} threads]";

    /// <summary>A measurement sample of a fixed length: <paramref name="input"/>'s first item, repeated along
    /// <paramref name="dim"/> and cut to <paramref name="length"/>.</summary>
    public static Tensor FirstItemRepeated(Tensor input, int dim, long length)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var one = input[..1];
        return Repeated(one, dim, length);
    }

    /// <summary>A measurement sample of a fixed length: every item of <paramref name="input"/>, repeated along
    /// <paramref name="dim"/> and cut to <paramref name="length"/>.</summary>
    public static Tensor Repeated(Tensor input, int dim, long length)
    {
        ArgumentNullException.ThrowIfNull(input);
        var repeats = Enumerable.Repeat(1L, (int)input.dim()).ToArray();
        repeats[dim] = (length + input.shape[dim] - 1) / input.shape[dim];
        using var repeated = input.repeat(repeats);
        return repeated.narrow(dim, 0, length);
    }

    /// <summary>The choices made in this process so far (<see cref="KeyAt"/> → second chosen), for logs and benchmarks.</summary>
    public static IReadOnlyDictionary<string, bool> Made =>
        Choices.Where(c => c.Value.IsValueCreated).ToDictionary(c => c.Key, c => c.Value.Value);

    /// <summary>Times both computations in alternating turns and returns whether the second's fastest run beat the
    /// first's and its result agreed (see <see cref="Agree"/>).</summary>
    public static bool Measure(Func<Tensor> sample, Func<Tensor, Tensor> first, Func<Tensor, Tensor> second, TimeSpan settle = default)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = sample();
        var reference = first(input);
        Tensor other;
        try
        {
            other = second(input);
        }
        catch (ExternalException)
        {
            return false; // an operator this libtorch or CPU lacks: the first computation stays
        }
        if (!Agree(reference, other)) return false;
        long bestFirst = long.MaxValue, bestSecond = long.MaxValue;
        for (var round = 0; round < Rounds; round++)
        {
            var secondFirst = round % 2 == 1;
            if (secondFirst) bestSecond = Math.Min(bestSecond, Time(second, input, settle));
            bestFirst = Math.Min(bestFirst, Time(first, input, settle));
            if (!secondFirst) bestSecond = Math.Min(bestSecond, Time(second, input, settle));
        }
        return bestSecond < bestFirst;
    }

    /// <summary>Same shape, and no element further from <paramref name="expected"/>'s than 1e-3 (float32) or 5e-2
    /// (lower precisions) of its largest magnitude; NaN never agrees.</summary>
    public static bool Agree(Tensor expected, Tensor actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        if (!expected.shape.SequenceEqual(actual.shape)) return false;
        using var scope = NewDisposeScope();
        var a = expected.to(ScalarType.Float64);
        var b = actual.to(ScalarType.Float64);
        var scale = a.abs().max().item<double>();
        var error = (a - b).abs().max().item<double>();
        var tolerance = expected.dtype == ScalarType.Float32 || expected.dtype == ScalarType.Float64 ? 1e-3 : 5e-2;
        return !double.IsNaN(error) && !double.IsNaN(scale) && error <= tolerance * Math.Max(scale, 1e-30);
    }

    private static long Time(Func<Tensor, Tensor> computation, Tensor input, TimeSpan settle)
    {
        if (settle > TimeSpan.Zero) Thread.Sleep(settle);
        using var scope = NewDisposeScope();
        var start = Stopwatch.GetTimestamp();
        computation(input);
        return Stopwatch.GetTimestamp() - start;
    }
}
