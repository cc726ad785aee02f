using System.Collections.Concurrent;
using TorchSharp;

namespace Ser.Core.Runtime;

/// <summary>Cached TorchSharp scalars for the hot paths. An implicit <c>double → Scalar</c> conversion makes a
/// finalizable object that the GC may reclaim while libtorch is still reading it (seen here under load as a
/// corrupted scalar in <c>clamp_min</c>); cached scalars stay reachable for the life of the process.</summary>
public static class Scalars
{
    private static readonly ConcurrentDictionary<double, Scalar> Cache = new();

    private static readonly ConcurrentDictionary<long, Scalar> Integers = new();

    public static Scalar Of(double value) => Cache.GetOrAdd(value, v => v.ToScalar());

    /// <summary>An integer scalar, so integer tensors stay integer.</summary>
    public static Scalar OfInteger(long value) => Integers.GetOrAdd(value, v => v.ToScalar());

    /// <summary>Integer 1: the <c>alpha</c> of a plain <c>add</c> (TorchSharp's own overload would make a temporary).</summary>
    public static Scalar One { get; } = OfInteger(1);
}
