using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Ser.Training.Reports;
using Ser.Training.Runs;

namespace Ser.Api.Tests.Metrics;

/// <summary>GET /metrics/runs/{id}/plots/{name}.png: a run's own charts, open like the other metrics reads.</summary>
public sealed class RunPlotEndpointTests : IDisposable
{
    private readonly SerApiFactory _factory = new();
    private readonly HttpClient _client;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public RunPlotEndpointTests()
    {
        _factory.Settings["Ser:Auth:ApiKeys:0"] = "plot-test-key-0123456789abcdef";
        _client = _factory.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
    }

    private RunStore Store => _factory.Services.GetRequiredService<RunStore>();

    private string AddRun(bool finished = true) =>
        FakeRuns.Add(Store, _factory.Services.GetRequiredService<RunRegistry>(), "resnet18", 1, c => c.Label, finished);

    [Fact]
    public async Task A_finished_runs_plots_are_served_as_png_without_a_key()
    {
        var id = AddRun();
        RunPlots.Write(Store, id, Store.ReadEvaluation(id)!);

        foreach (var name in RunPlots.Names)
        {
            using var response = await _client.GetAsync(new Uri($"/metrics/runs/{id}/plots/{name}.png", UriKind.Relative), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(0x89, (await response.Content.ReadAsByteArrayAsync(Ct))[0]);
        }
    }

    [Theory]
    [InlineData("no-such-run", "confusion", HttpStatusCode.NotFound)]
    [InlineData(null, "secrets", HttpStatusCode.NotFound)]
    [InlineData(null, "..%2Fspec", HttpStatusCode.NotFound)]
    public async Task Unknown_runs_and_names_are_404_problems(string? run, string name, HttpStatusCode expected)
    {
        var id = run ?? AddRun();

        using var response = await _client.GetAsync(new Uri($"/metrics/runs/{id}/plots/{name}.png", UriKind.Relative), Ct);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_unfinished_run_is_a_409_and_a_finished_one_without_plots_a_404()
    {
        var running = AddRun(finished: false);
        var finished = AddRun();

        using var early = await _client.GetAsync(new Uri($"/metrics/runs/{running}/plots/confusion.png", UriKind.Relative), Ct);
        using var none = await _client.GetAsync(new Uri($"/metrics/runs/{finished}/plots/confusion.png", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        var problem = JsonDocument.Parse(await none.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("No plot", problem.GetProperty("title").GetString());
    }
}
