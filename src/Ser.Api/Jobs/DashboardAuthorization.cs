using Hangfire.Dashboard;
using Ser.Api.Hosting.Security;

namespace Ser.Api.Jobs;

/// <summary>/hangfire: the same rule as state-changing endpoints, with the session cookie for the browser's page and its
/// background calls (<see cref="ApiKeyGate"/>). Refusals are answered as problems before Hangfire sees the request
/// (JobsExtensions); this is Hangfire's own check of the same rule.</summary>
public sealed class DashboardAuthorization(ApiKeyGate gate) : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return gate.Check(context.GetHttpContext(), acceptSession: true) == Access.Allowed;
    }
}
