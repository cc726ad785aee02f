using System.Diagnostics;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Ser.Core.Runtime;

/// <summary>Chooses between two computations of the same function by timing both on this machine. Which one is faster
/// depends on the CPU (oneDNN picks other kernels for the same layer on AMD Zen 4 and Zen 5), so no choice measured on
/// one CPU is hard-coded. For each case (say, a length band) the first <see cref="Trials"/> calls run both, alternating
/// which goes first, and return the first computation's result; later calls run only the one whose fastest trial was
/// faster, the first trial not counted (it compiles kernels and packs weights). The second is chosen only if its results
/// agreed with the first's in every trial (and ran at all): a kernel that sums wrong on some CPU (oneDNN's 1x1
/// convolution did on Zen 5) is never kept for speed. Safe for concurrent callers.</summary>
/// <typeparam name="TKey">What tells cases apart: shapes that may favour different computations.</typeparam>
public sealed class FasterOf<TKey> where TKey : notnull
{
    /// <summary>Calls per case that run both computations.</summary>
    public const int Trials = 4;

    private readonly Func<long> _clock;
    private readonly Dictionary<TKey, Tally> _cases = [];

    public FasterOf() : this(Stopwatch.GetTimestamp)
    {
    }

    /// <param name="clock">Timestamps in any unit (tests pass their own).</param>
    public FasterOf(Func<long> clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
    }

    /// <summary>0 when <paramref name="key"/>'s trials chose the first computation, 1 the second, null while they
    /// run.</summary>
    public int? Choice(TKey key)
    {
        lock (_cases) return _cases.TryGetValue(key, out var tally) ? tally.Choice : null;
    }

    /// <summary><paramref name="first"/>'s result, or <paramref name="second"/>'s once the trials chose it; both must
    /// compute the same function.</summary>
    public Tensor Run(TKey key, Func<Tensor> first, Func<Tensor> second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        Tally tally;
        lock (_cases)
            if (!_cases.TryGetValue(key, out tally!)) _cases[key] = tally = new();
        var choice = tally.Choice;
        if (choice is not null) return choice == 0 ? first() : second();

        var secondFirst = tally.Odd;
        Tensor? other = null;
        long secondTime = 0;
        if (secondFirst) secondTime = TryTime(second, out other);
        var firstTime = Time(first, out var result);
        if (!secondFirst) secondTime = TryTime(second, out other);
        tally.Add(firstTime, secondTime, other is not null && Agree(result, other));
        other?.Dispose();
        return result;
    }

    // A second computation libtorch refuses here (an operator this build or CPU lacks) leaves the first in place.
    private long TryTime(Func<Tensor> computation, out Tensor? result)
    {
        try
        {
            var time = Time(computation, out var tensor);
            result = tensor;
            return time;
        }
        catch (ExternalException)
        {
            result = null;
            return 0;
        }
    }

    /// <summary>Largest difference relative to the largest value: bf16 rounds to 3 significant digits, so sums taken in
    /// another order differ by up to ~1e-2 there, ~1e-6 in float32.</summary>
    private static bool Agree(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape)) return false;
        using var scope = NewDisposeScope();
        var tolerance = a.dtype is ScalarType.BFloat16 or ScalarType.Float16 ? 5e-2 : 1e-4;
        var a64 = a.detach().to(ScalarType.Float64);
        var difference = (a64 - b.detach().to(ScalarType.Float64)).abs().max().item<double>();
        return difference <= tolerance * a64.abs().max().item<double>();
    }

    // Each in its own scope, so one computation's intermediates are freed before the other runs.
    private long Time(Func<Tensor> computation, out Tensor result)
    {
        using var scope = NewDisposeScope();
        var start = _clock();
        result = computation();
        var time = _clock() - start;
        result = result.MoveToOuterDisposeScope();
        return time;
    }

    private sealed class Tally
    {
        private readonly Lock _lock = new();
        private long _first = long.MaxValue;
        private long _second = long.MaxValue;
        private int _count;
        private volatile int _choice = -1;

        public int? Choice => _choice < 0 ? null : _choice;

        public bool Odd
        {
            get
            {
                lock (_lock) return _count % 2 == 1;
            }
        }

        public void Add(long first, long second, bool agreed)
        {
            lock (_lock)
            {
                if (_count++ > 0) (_first, _second) = (Math.Min(_first, first), Math.Min(_second, second));
                if (!agreed) _choice = 0;
                else if (_count >= Trials && _choice < 0) _choice = _second < _first ? 1 : 0;
            }
        }
    }
}
