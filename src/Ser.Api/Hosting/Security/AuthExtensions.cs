using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Ser.Api.Classification;

namespace Ser.Api.Hosting.Security;

/// <summary>API keys (checked at start-up), the endpoint filters that apply them, and forwarded headers from known proxies.</summary>
public static class AuthExtensions
{
    public static WebApplicationBuilder AddSerAuth(this WebApplicationBuilder builder, ServiceRole role)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        // Every role: a worker serves /hangfire too.
        services.AddOptions<AuthOptions>().Bind(builder.Configuration.GetSection(AuthOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>>(sp => new AuthOptionsValidator(sp.GetRequiredService<IHostEnvironment>(), role));
        services.AddSingleton<ApiKeyGate>();
        services.AddSingleton<StateChangeAuthorization>();
        services.AddSingleton<PageAuthorization>();
        services.AddSingleton<ClassifyAuthorization>();

        var network = builder.Configuration.GetSection(NetworkOptions.Section).Get<NetworkOptions>() ?? new NetworkOptions();
        if (network.KnownProxies.Length + network.KnownNetworks.Length > 0)
        {
            var proxies = network.KnownProxies.Select((p, i) => IPAddress.TryParse(p.Trim(), out var a) ? a : throw Invalid($"KnownProxies:{i}", p)).ToArray();
            var networks = network.KnownNetworks.Select((n, i) => System.Net.IPNetwork.TryParse(n.Trim(), out var a) ? a : throw Invalid($"KnownNetworks:{i}", n))
                .ToArray();
            services.Configure<ForwardedHeadersOptions>(options =>
            {
                options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                // Only the configured hops (the defaults trust loopback), followed for as long as each hop is one of them.
                options.KnownProxies.Clear();
                options.KnownIPNetworks.Clear();
                foreach (var proxy in proxies) options.KnownProxies.Add(proxy);
                foreach (var net in networks) options.KnownIPNetworks.Add(net);
                options.ForwardLimit = null;
            });
        }
        return builder;
    }

    /// <summary>First in the pipeline, so rate limits, logs and the local-caller rule see the client behind a known proxy.</summary>
    public static WebApplication UseSerForwardedHeaders(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var network = app.Configuration.GetSection(NetworkOptions.Section).Get<NetworkOptions>() ?? new NetworkOptions();
        if (network.KnownProxies.Length + network.KnownNetworks.Length > 0) app.UseForwardedHeaders();
        return app;
    }

    private static InvalidOperationException Invalid(string key, string text) =>
        new($"{NetworkOptions.Section}:{key} is '{text}': not an address (KnownProxies, e.g. 10.0.0.5) or a CIDR network (KnownNetworks, e.g. 172.18.0.0/16).");
}
