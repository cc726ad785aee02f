using Microsoft.Extensions.Options;
using Ser.Api.Hosting.Security;

namespace Ser.Api.Classification;

/// <summary>With <c>Ser:Auth:ProtectClassify=true</c>, classification needs an API key like state-changing endpoints;
/// otherwise it is open.</summary>
public sealed class ClassifyAuthorization(IOptionsMonitor<AuthOptions> options, StateChangeAuthorization keys) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return options.CurrentValue.ProtectClassify ? keys.InvokeAsync(context, next) : next(context);
    }
}
