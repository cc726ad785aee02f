using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ser.Api.Classification;
using Ser.Api.Tests.Wav;

namespace Ser.Api.Tests.Classification;

/// <summary>Ser:RateLimit:PermitsPerMinute counts clips, not requests (a batch takes a permit per file, before decoding),
/// and charges a client by IPv4 address or IPv6 /64; behind a known proxy, by the forwarded client.</summary>
public sealed class RateLimitTests : IDisposable
{
    private readonly SerApiFactory _factory = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public RateLimitTests()
    {
        _factory.Settings["Ser:RateLimit:PermitsPerMinute"] = "5";
        _factory.ServeScriptedModels(); // with no model, /classify answers 503 before it reads or counts anything
    }

    private async Task<HttpClient> ClientAsync()
    {
        await _factory.WaitUntilReadyAsync(Ct);
        return _factory.CreateClient();
    }

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task A_batch_takes_a_permit_per_clip()
    {
        using var client = await ClientAsync();

        using var three = await client.PostAsync(new Uri("/classify/batch", UriKind.Relative), Batch(3), Ct);
        using var threeMore = await client.PostAsync(new Uri("/classify/batch", UriKind.Relative), Batch(3), Ct);
        using var one = await client.PostAsync(new Uri("/classify", UriKind.Relative), new ByteArrayContent(TestWav.Tone(0.3)), Ct);
        using var two = await client.PostAsync(new Uri("/classify/batch", UriKind.Relative), Batch(2), Ct);

        Assert.Equal(HttpStatusCode.OK, three.StatusCode); // 3 of 5
        Assert.Equal(HttpStatusCode.TooManyRequests, threeMore.StatusCode); // 3 more would make 6
        Assert.NotNull(threeMore.Headers.RetryAfter);
        Assert.Equal(429, (await threeMore.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("status").GetInt32());
        Assert.Equal(HttpStatusCode.OK, one.StatusCode); // the refused batch spent its first permit: this is the fifth
        Assert.Equal(HttpStatusCode.TooManyRequests, two.StatusCode);
    }

    [Fact]
    public async Task A_batch_larger_than_a_minute_allows_is_refused_before_decoding()
    {
        using var client = await ClientAsync();

        using var six = await client.PostAsync(new Uri("/classify/batch", UriKind.Relative), Batch(6), Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, six.StatusCode);
        Assert.Contains("a batch counts each file", (await six.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString(),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Callers_in_one_ipv6_64_share_a_window()
    {
        using var client = await ClientAsync();

        var statuses = new List<HttpStatusCode>();
        foreach (var address in new[] { "2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::9", "2001:db8:1:2::3", "2001:db8:1:2::4", "2001:db8:1:2::5", "2001:db8:1:3::1" })
        {
            _factory.RemoteAddress = IPAddress.Parse(address);
            using var response = await client.PostAsync(new Uri("/classify", UriKind.Relative), new ByteArrayContent(TestWav.Tone(0.3)), Ct);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, 5), HttpStatusCode.TooManyRequests, HttpStatusCode.OK], statuses);
    }

    [Fact]
    public async Task Behind_a_known_proxy_each_forwarded_client_has_its_own_window()
    {
        _factory.Settings["Ser:RateLimit:PermitsPerMinute"] = "1";
        _factory.Settings["Ser:Network:KnownNetworks:0"] = "10.0.0.0/8";
        _factory.RemoteAddress = IPAddress.Parse("10.1.2.3");
        using var client = await ClientAsync();

        var statuses = new List<HttpStatusCode>();
        foreach (var forwardedFor in new[] { "198.51.100.1", "198.51.100.2", "198.51.100.1" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/classify", UriKind.Relative)) { Content = new ByteArrayContent(TestWav.Tone(0.3)) };
            request.Headers.Add("X-Forwarded-For", forwardedFor);
            using var response = await client.SendAsync(request, Ct);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }

    [Theory]
    [InlineData("192.0.2.1", "192.0.2.1")]
    [InlineData("::ffff:192.0.2.1", "192.0.2.1")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData(null, "unknown")]
    public void Clients_are_ipv4_addresses_or_ipv6_64s(string? address, string partition) =>
        Assert.Equal(partition, ClassifyRateLimiter.PartitionOf(address is null ? null : IPAddress.Parse(address)));

    private static MultipartFormDataContent Batch(int files)
    {
        var form = new MultipartFormDataContent();
        for (var i = 0; i < files; i++) form.Add(new ByteArrayContent(TestWav.Tone(0.3)), "files", $"clip{i}.wav");
        return form;
    }
}
