namespace Ser.Api.Hosting.Security;

/// <summary>State-changing endpoints: with <c>Ser:Auth:ApiKeys</c> set, an <c>X-Api-Key</c> from that list is needed
/// (401 missing, 403 wrong); with none set, only local callers are served (403 otherwise). No session cookie here: a
/// browser page on another site cannot make these calls for a signed-in user.</summary>
public sealed class StateChangeAuthorization(ApiKeyGate gate) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (ApiKeyGate.Refusal(gate.Check(context.HttpContext, acceptSession: false)) is { } refusal) return refusal;
        return await next(context).ConfigureAwait(false);
    }
}
