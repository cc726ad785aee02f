using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ser.Api.Tests.Wav;

namespace Ser.Api.Tests.Hosting.Security;

public sealed class SecurityTests : IDisposable
{
    private readonly SerApiFactory _factory = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _factory.Dispose();

    private static HttpRequestMessage Classify(string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/classify", UriKind.Relative)) { Content = new ByteArrayContent(TestWav.Tone(0.3)) };
        if (key is not null) request.Headers.Add("X-Api-Key", key);
        return request;
    }

    [Fact]
    public async Task With_keys_configured_state_changes_need_a_key_and_protected_classification_too()
    {
        _factory.Settings["Ser:Auth:ApiKeys:0"] = "k1-0123456789abcdef";
        _factory.Settings["Ser:Auth:ProtectClassify"] = "true";
        using var client = _factory.CreateClient();

        var missing = await client.SendAsync(Classify(null), Ct);
        var wrong = await client.SendAsync(Classify("nope"), Ct);
        var right = await client.SendAsync(Classify("k1-0123456789abcdef"), Ct);
        var job = await client.PostAsJsonAsync(new Uri("/jobs/train", UriKind.Relative), new { architecture = "resnet18" }, Ct);
        var dashboard = await client.GetAsync(new Uri("/hangfire", UriKind.Relative), Ct);
        using var withKey = new HttpRequestMessage(HttpMethod.Get, new Uri("/hangfire", UriKind.Relative));
        withKey.Headers.Add("X-Api-Key", "k1-0123456789abcdef");
        var dashboardWithKey = await client.SendAsync(withKey, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, right.StatusCode); // authorised; no model loaded
        Assert.Equal(HttpStatusCode.Unauthorized, job.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, dashboard.StatusCode);
        Assert.Equal(HttpStatusCode.OK, dashboardWithKey.StatusCode);
    }

    [Fact]
    public async Task Over_the_rate_limit_classification_gets_429_with_retry_after()
    {
        _factory.Settings["Ser:RateLimit:PermitsPerMinute"] = "2";
        using var client = _factory.CreateClient();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage last = null!;
        for (var i = 0; i < 3; i++)
        {
            last = await client.SendAsync(Classify(null), Ct);
            statuses.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.TooManyRequests], statuses);
        Assert.NotNull(last.Headers.RetryAfter);
        Assert.Equal(429, (await last.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("status").GetInt32());
    }
}
