using System.Net;

namespace Ser.Api.Hosting.Security;

/// <summary>The one "is this caller on this host" rule for state-changing endpoints, /hangfire and /dashboard when no
/// key is configured.</summary>
public static class LocalCaller
{
    private static readonly string[] ForwardingHeaders = ["Forwarded", "X-Forwarded-For", "X-Real-IP"];

    public static bool Is(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // No address (a Unix socket, an in-process host) says nothing about where the caller is.
        if (context.Connection.RemoteIpAddress is not { } address) return false;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        // A same-host proxy connects from loopback on someone else's behalf; trusted proxies' headers were already
        // consumed by the forwarded-headers middleware (Ser:Network), so any left over come from an unknown hop.
        return IPAddress.IsLoopback(address) && !ForwardingHeaders.Any(context.Request.Headers.ContainsKey);
    }
}
