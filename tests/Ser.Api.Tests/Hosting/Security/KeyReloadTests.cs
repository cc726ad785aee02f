using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Ser.Api.Hosting.Security;

namespace Ser.Api.Tests.Hosting.Security;

/// <summary>API keys follow the configuration as it reloads (a rotated key is accepted, the old one refused) without a restart.</summary>
public sealed class KeyReloadTests
{
    private const string OldKey = "old-key-0123456789abcdef";
    private const string NewKey = "new-key-0123456789abcdef";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_key_added_to_the_configuration_is_accepted_without_a_restart()
    {
        var source = new ReloadableSource();
        source.Provider.Set("Ser:Auth:ApiKeys:0", OldKey);
        using var factory = new ReloadingFactory(source);
        using var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.NotFound, await CancelUnknownJob(client, OldKey));
        Assert.Equal(HttpStatusCode.Forbidden, await CancelUnknownJob(client, NewKey));

        source.Provider.Set("Ser:Auth:ApiKeys:0", NewKey);
        source.Provider.Reload();

        Assert.Equal(HttpStatusCode.NotFound, await CancelUnknownJob(client, NewKey));
        Assert.Equal(HttpStatusCode.Forbidden, await CancelUnknownJob(client, OldKey));
    }

    // A state-changing call that, once let through, answers 404 (no such job) without doing anything.
    private static async Task<HttpStatusCode> CancelUnknownJob(HttpClient client, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, new Uri("/jobs/j-none", UriKind.Relative));
        request.Headers.Add(ApiKeyGate.HeaderName, key);
        return (await client.SendAsync(request, Ct)).StatusCode;
    }

    private sealed class ReloadingFactory(ReloadableSource source) : SerApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureAppConfiguration(configuration => configuration.Add(source));
        }
    }

    private sealed class ReloadableSource : IConfigurationSource
    {
        public ReloadableProvider Provider { get; } = new();

        public IConfigurationProvider Build(IConfigurationBuilder builder) => Provider;
    }

    private sealed class ReloadableProvider : ConfigurationProvider
    {
        public void Reload() => OnReload();
    }
}
