namespace Ser.Core.Data;

/// <summary>SplitMix64: a tiny PRNG whose sequence is fixed by its seed on every machine and .NET version,
/// for splits, data order and synthetic audio. Its whole state is one ulong, so it can be checkpointed.</summary>
public sealed class DeterministicRandom
{
    public DeterministicRandom(long seed) => State = unchecked((ulong)seed);

    /// <summary>The full generator state (save it to resume the exact sequence).</summary>
    public ulong State { get; set; }

    public ulong NextUInt64()
    {
        unchecked
        {
            var z = State += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)(NextDouble() * maxExclusive);
    }

    public double Uniform(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>Standard normal (Box–Muller).</summary>
    public double NextGaussian()
    {
        var u = 1.0 - NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * NextDouble());
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
