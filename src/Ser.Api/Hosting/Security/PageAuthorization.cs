namespace Ser.Api.Hosting.Security;

/// <summary>/dashboard: the state-changing rule, plus the session cookie a browser gets from <c>/auth/session</c>.</summary>
public sealed class PageAuthorization(ApiKeyGate gate) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (ApiKeyGate.Refusal(gate.CheckPage(context.HttpContext)) is { } refusal) return refusal;
        return await next(context).ConfigureAwait(false);
    }
}
