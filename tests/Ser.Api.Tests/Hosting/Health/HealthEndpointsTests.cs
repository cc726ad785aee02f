using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Ser.Api.Hosting.Health;

namespace Ser.Api.Tests.Hosting.Health;

public sealed class HealthEndpointsTests : IClassFixture<SerApiFactory>
{
    private readonly SerApiFactory _factory;

    public HealthEndpointsTests(SerApiFactory factory) => _factory = factory;

    [Fact]
    public async Task Live_answers_200_while_the_process_runs()
    {
        using var client = _factory.CreateClient();

        var response = await client.GetAsync(new Uri("/health/live", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("live", body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_answers_503_with_progress_until_both_architectures_are_loaded_then_200()
    {
        using var client = _factory.CreateClient();
        var readiness = _factory.Services.GetRequiredService<ServiceReadiness>();
        var ct = TestContext.Current.CancellationToken;
        // The bootstrap service (off in tests) writes its own stage once the start-up load is done: let it, then set ours.
        for (var i = 0; i < 1_500 && !readiness.Bootstrap.Stage.Contains("Ser:Bootstrap:Enabled is false", StringComparison.Ordinal); i++)
            await Task.Delay(20, ct);

        readiness.SetBootstrap("training", 0.25);
        readiness.SetLoaded("wav2vec2", true);
        var starting = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), ct);
        var body = await starting.Content.ReadFromJsonAsync<JsonElement>(ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, starting.StatusCode);
        Assert.Equal("starting", body.GetProperty("status").GetString());
        Assert.True(body.GetProperty("models").GetProperty("wav2vec2").GetBoolean());
        Assert.False(body.GetProperty("models").GetProperty("resnet18").GetBoolean());
        Assert.Equal(0.25, body.GetProperty("bootstrap").GetProperty("fraction").GetDouble());

        readiness.SetLoaded("resnet18", true);
        var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), ct);

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        readiness.SetLoaded("wav2vec2", false);
        readiness.SetLoaded("resnet18", false);
    }

    [Fact]
    public async Task Unknown_routes_answer_problem_details_with_a_trace_id()
    {
        using var client = _factory.CreateClient();

        var response = await client.GetAsync(new Uri("/no/such/route", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(404, body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("traceId").GetString()));
    }
}
