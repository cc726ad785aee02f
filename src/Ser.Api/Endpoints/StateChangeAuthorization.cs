using System.Net;
using Microsoft.Extensions.Options;

namespace Ser.Api.Endpoints;

/// <summary>State-changing endpoints: with <c>Ser:Auth:ApiKeys</c> set, an <c>X-Api-Key</c> from that list is needed
/// (401 missing, 403 wrong); with none set, only loopback callers are served (403 otherwise).</summary>
public sealed class StateChangeAuthorization(IOptions<AuthOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var keys = options.Value.ApiKeys;
        if (keys.Length > 0)
        {
            if (!http.Request.Headers.TryGetValue("X-Api-Key", out var key))
                return Problems.Create(StatusCodes.Status401Unauthorized, "API key required", "Send an X-Api-Key header.");
            if (!keys.Contains(key.ToString(), StringComparer.Ordinal))
                return Problems.Create(StatusCodes.Status403Forbidden, "API key refused", "The X-Api-Key is not one of Ser:Auth:ApiKeys.");
        }
        else if (http.Connection.RemoteIpAddress is { } address && !IPAddress.IsLoopback(address))
        {
            return Problems.Create(StatusCodes.Status403Forbidden, "Local callers only",
                "No API key is configured, so state-changing endpoints answer loopback callers only; set Ser:Auth:ApiKeys to allow others.");
        }
        return await next(context).ConfigureAwait(false);
    }
}

/// <summary><c>Ser:Auth</c>.</summary>
public sealed class AuthOptions
{
    public const string Section = "Ser:Auth";

    public string[] ApiKeys { get; set; } = [];

    public bool ProtectClassify { get; set; }
}
