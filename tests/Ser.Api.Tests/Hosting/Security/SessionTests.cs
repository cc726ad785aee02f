using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Ser.Api.Tests.Hosting.Security;

/// <summary>With keys set, /dashboard and /hangfire need one like state-changing endpoints; a browser signs in at
/// /auth/session and gets a session cookie (HttpOnly, SameSite=Strict, Secure over https, not the key) that also lets
/// Hangfire's own background calls through. A key in the URL opens nothing.</summary>
public sealed class SessionTests : IDisposable
{
    private const string Key = "4f1c9a7e2b8d6053a1";
    private readonly SerApiFactory _factory = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public SessionTests() => _factory.Settings["Ser:Auth:ApiKeys:0"] = Key;

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task The_dashboard_needs_a_key_when_keys_are_set()
    {
        using var client = _factory.CreateClient();

        using var missing = await client.GetAsync(new Uri("/dashboard", UriKind.Relative), Ct);
        using var wrong = await client.SendAsync(Get("/dashboard", "4f1c9a7e2b8d6053a2"), Ct);
        using var right = await client.SendAsync(Get("/dashboard", Key), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, right.StatusCode); // let in: there are no runs to compare
    }

    [Fact]
    public async Task A_key_in_the_url_opens_nothing()
    {
        using var client = _factory.CreateClient();

        using var hangfire = await client.GetAsync(new Uri($"/hangfire?api-key={Key}", UriKind.Relative), Ct);
        using var dashboard = await client.GetAsync(new Uri($"/dashboard?api-key={Key}", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, hangfire.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, dashboard.StatusCode);
    }

    [Fact]
    public async Task A_signed_in_browser_opens_hangfire_and_its_background_calls_but_changes_no_state()
    {
        using var client = _factory.CreateClient(); // keeps cookies, like a browser

        using var signIn = await client.SendAsync(Post("/auth/session", Key), Ct);
        var cookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"));
        using var page = await client.GetAsync(new Uri("/hangfire", UriKind.Relative), Ct);
        using var stats = await client.PostAsync(new Uri("/hangfire/stats", UriKind.Relative), new FormUrlEncodedContent([]), Ct);
        using var dashboard = await client.GetAsync(new Uri("/dashboard", UriKind.Relative), Ct);
        using var job = await client.PostAsJsonAsync(new Uri("/jobs/train", UriKind.Relative), new { architecture = "resnet18" }, Ct);

        Assert.Equal(HttpStatusCode.NoContent, signIn.StatusCode);
        Assert.StartsWith("ser-session=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase); // plain http here
        Assert.DoesNotContain(Key, cookie, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, dashboard.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, job.StatusCode); // state changes need the header, not a cookie
    }

    [Fact]
    public async Task A_key_sent_to_hangfire_once_starts_the_session_for_its_later_calls()
    {
        using var client = _factory.CreateClient();

        using var first = await client.SendAsync(Get("/hangfire", Key), Ct);
        using var later = await client.PostAsync(new Uri("/hangfire/stats", UriKind.Relative), new FormUrlEncodedContent([]), Ct);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
    }

    [Fact]
    public async Task Over_https_the_cookie_is_secure()
    {
        using var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost") });

        using var signIn = await client.SendAsync(Post("/auth/session", Key), Ct);

        Assert.Contains("secure", Assert.Single(signIn.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("/dashboard?runs=a,b", "/dashboard?runs=a,b")]
    [InlineData("//evil.example/x", "/hangfire")] // no open redirect
    [InlineData("https://evil.example/", "/hangfire")]
    [InlineData("/\\evil.example", "/hangfire")]
    public async Task The_sign_in_form_sends_the_browser_back_to_a_local_page_only(string returnUrl, string location)
    {
        using var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var page = await client.GetStringAsync(new Uri("/auth/session", UriKind.Relative), Ct);
        using var posted = await client.PostAsync(new Uri("/auth/session", UriKind.Relative),
            new FormUrlEncodedContent([new("apiKey", Key), new("returnUrl", returnUrl)]), Ct);

        Assert.Contains("name=\"apiKey\"", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Equal(location, posted.Headers.Location?.OriginalString);
        Assert.Contains(posted.Headers.GetValues("Set-Cookie"), c => c.StartsWith("ser-session=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Wrong_missing_and_forged_credentials_are_refused()
    {
        using var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });

        using var wrong = await client.SendAsync(Post("/auth/session", "4f1c9a7e2b8d6053a2"), Ct);
        using var missing = await client.SendAsync(Post("/auth/session", null), Ct);
        using var forged = Get("/hangfire", null);
        forged.Headers.Add("Cookie", "ser-session=99999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        using var forgedResponse = await client.SendAsync(forged, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.False(wrong.Headers.Contains("Set-Cookie"));
        Assert.Equal(HttpStatusCode.Unauthorized, forgedResponse.StatusCode);
    }

    private static HttpRequestMessage Get(string path, string? key) => WithKey(new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative)), key);

    private static HttpRequestMessage Post(string path, string? key) => WithKey(new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)), key);

    private static HttpRequestMessage WithKey(HttpRequestMessage request, string? key)
    {
        if (key is not null) request.Headers.Add("X-Api-Key", key);
        return request;
    }
}
