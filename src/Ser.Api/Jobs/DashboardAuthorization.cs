using Hangfire.Dashboard;
using Microsoft.Extensions.Options;
using Ser.Api.Endpoints;

namespace Ser.Api.Jobs;

/// <summary>/hangfire: with API keys configured, an <c>X-Api-Key</c> (or <c>?api-key=</c> for a browser) from the list;
/// without, local requests only (Hangfire's default).</summary>
public sealed class DashboardAuthorization(IOptions<AuthOptions> options) : IDashboardAuthorizationFilter
{
    private readonly LocalRequestsOnlyAuthorizationFilter _local = new();

    public bool Authorize(DashboardContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var keys = options.Value.ApiKeys;
        if (keys.Length == 0) return _local.Authorize(context);
        var http = context.GetHttpContext();
        var key = http.Request.Headers["X-Api-Key"].ToString() is { Length: > 0 } header ? header : http.Request.Query["api-key"].ToString();
        return keys.Contains(key, StringComparer.Ordinal);
    }
}
