using System.Net;
using System.Threading.RateLimiting;

namespace Ser.Api.Classification;

/// <summary>Classification's per-client limit (<c>Ser:RateLimit:PermitsPerMinute</c>; 0 = off), one permit per clip. One
/// instance is both the rate-limiting middleware's global limiter (a permit per request to an endpoint marked with
/// <see cref="Marker"/>) and what /classify/batch asks for its further clips, so both draw on the same window.</summary>
public sealed class ClassifyRateLimiter : IDisposable
{
    /// <summary>Endpoint metadata: the endpoints this limiter counts.</summary>
    public static readonly object Marker = new ClassifyRateLimited();

    private const string Unlimited = "";

    public ClassifyRateLimiter(int permitsPerMinute)
    {
        PermitsPerMinute = permitsPerMinute;
        Limiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            permitsPerMinute <= 0 || context.GetEndpoint()?.Metadata.GetMetadata<ClassifyRateLimited>() is null
                ? RateLimitPartition.GetNoLimiter(Unlimited)
                : RateLimitPartition.GetFixedWindowLimiter(PartitionOf(context.Connection.RemoteIpAddress),
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = permitsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
    }

    public int PermitsPerMinute { get; }

    public PartitionedRateLimiter<HttpContext> Limiter { get; }

    /// <summary>Takes the permits for a request of <paramref name="count"/> clips beyond the one the middleware took; false
    /// (with the seconds to wait) when the client's window has too few left, or the request holds more clips than a minute allows.</summary>
    public bool TryAcquireClips(HttpContext context, int count, out int retryAfterSeconds)
    {
        ArgumentNullException.ThrowIfNull(context);
        retryAfterSeconds = 0;
        if (PermitsPerMinute <= 0 || count <= 1) return true;
        retryAfterSeconds = 60;
        if (count > PermitsPerMinute) return false; // never fits in one window
        using var lease = Limiter.AttemptAcquire(context, count - 1);
        if (lease.IsAcquired) return true;
        if (lease.TryGetMetadata(MetadataName.RetryAfter, out var after)) retryAfterSeconds = Math.Max(1, (int)Math.Ceiling(after.TotalSeconds));
        return false;
    }

    /// <summary>The client a permit is charged to: an IPv4 address (IPv4-mapped IPv6 included), an IPv6 /64 (one host
    /// commonly holds a whole /64), or one shared partition for callers without an address.</summary>
    public static string PartitionOf(IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4().ToString();
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    public void Dispose() => Limiter.Dispose();

    private sealed class ClassifyRateLimited;
}
