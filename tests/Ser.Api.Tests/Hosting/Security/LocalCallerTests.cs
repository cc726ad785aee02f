using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Ser.Api.Tests.Hosting.Security;

/// <summary>Without keys, "local" is a loopback connection carrying no forwarding header, the same rule for state-changing
/// endpoints, /hangfire and /dashboard; a missing address (Unix socket) is remote. Forwarded headers count only from
/// Ser:Network's known proxies.</summary>
public sealed class LocalCallerTests : IDisposable
{
    private readonly SerApiFactory _factory = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _factory.Dispose();

    [Theory]
    [InlineData("127.0.0.1", null, true)]
    [InlineData("::1", null, true)]
    [InlineData("::ffff:127.0.0.1", null, true)]
    [InlineData(null, null, false)] // a Unix socket or an in-process host: no address is no proof
    [InlineData("203.0.113.9", null, false)]
    [InlineData("127.0.0.1", "X-Forwarded-For", false)] // a same-host proxy speaking for someone else
    [InlineData("127.0.0.1", "Forwarded", false)]
    [InlineData("127.0.0.1", "X-Real-IP", false)]
    public async Task Without_keys_only_a_direct_loopback_caller_is_local_on_every_guarded_path(string? address, string? header, bool local)
    {
        _factory.RemoteAddress = address is null ? null : IPAddress.Parse(address);
        using var client = _factory.CreateClient();

        foreach (var (method, path) in new[] { ("POST", "/jobs/train"), ("GET", "/hangfire"), ("GET", "/dashboard") })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
            if (method == "POST") request.Content = JsonContent.Create(new { architecture = "resnet18" });
            if (header is not null) request.Headers.TryAddWithoutValidation(header, header == "Forwarded" ? "for=198.51.100.7" : "198.51.100.7");
            using var response = await client.SendAsync(request, Ct);

            if (local) Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
            else await AssertLocalOnlyAsync(response, path);
        }
    }

    [Theory]
    [InlineData("10.0.0.1", "127.0.0.1", true)] // a known proxy relaying a loopback caller
    [InlineData("10.0.0.1", "198.51.100.7", false)] // a known proxy relaying a remote caller
    [InlineData("10.0.0.2", "127.0.0.1", false)] // anyone else claiming to relay loopback
    public async Task Forwarded_for_counts_only_from_a_configured_proxy(string proxy, string forwardedFor, bool local)
    {
        _factory.Settings["Ser:Network:KnownProxies:0"] = "10.0.0.1";
        _factory.RemoteAddress = IPAddress.Parse(proxy);
        using var client = _factory.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/hangfire", UriKind.Relative));
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await client.SendAsync(request, Ct);

        if (local) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        else await AssertLocalOnlyAsync(response, "/hangfire");
    }

    [Fact]
    public void A_known_proxy_that_is_not_an_address_stops_the_start()
    {
        _factory.Settings["Ser:Network:KnownNetworks:0"] = "10.0.0.0/33";

        var error = Record.Exception(() => _factory.CreateClient().Dispose());

        Assert.Contains("Ser:Network:KnownNetworks:0", error?.ToString(), StringComparison.Ordinal);
    }

    private static async Task AssertLocalOnlyAsync(HttpResponseMessage response, string path)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{path}: {response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Contains("Ser:Auth:ApiKeys", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
