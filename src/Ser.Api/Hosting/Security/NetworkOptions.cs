namespace Ser.Api.Hosting.Security;

/// <summary><c>Ser:Network</c>: the reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed. Off by default:
/// the connection's own address is the client, and a request carrying forwarding headers is never "local".</summary>
public sealed class NetworkOptions
{
    public const string Section = "Ser:Network";

    /// <summary>Proxy addresses, e.g. <c>10.0.0.5</c>.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR form, e.g. <c>172.18.0.0/16</c> (a Docker network).</summary>
    public string[] KnownNetworks { get; set; } = [];
}
