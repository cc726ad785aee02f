using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Ser.Training.Loops;
using Ser.Training.Runs;
using Ser.Api.Hosting.Security;

namespace Ser.Api.Tests.Metrics.Dashboard;

/// <summary>GET /dashboard shows the compared runs' learning curves and the runs training now, behind the key.</summary>
public sealed class DashboardContentTests : IDisposable
{
    private const string Key = "7d3b9e1f5a2c8046b9";
    private readonly SerApiFactory _factory = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public DashboardContentTests() => _factory.Settings["Ser:Auth:ApiKeys:0"] = Key;

    public void Dispose() => _factory.Dispose();

    private RunStore Store => _factory.Services.GetRequiredService<RunStore>();

    private string AddRun(string architecture, bool finished = true) =>
        FakeRuns.Add(Store, _factory.Services.GetRequiredService<RunRegistry>(), architecture, 1, c => c.Label, finished);

    private static HttpRequestMessage Get(string path, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (key is not null) request.Headers.Add("X-Api-Key", key);
        return request;
    }

    [Fact]
    public async Task The_page_draws_learning_curves_and_the_progress_of_running_runs()
    {
        using var client = _factory.CreateClient();
        var a = AddRun("wav2vec2");
        var b = AddRun("resnet18");
        Store.WriteTraining(a, new TrainingResult(2, 0.6,
            [new EpochMetrics(1, 10, 1.7, 1e-3, 0.3, 0.35, 0.2, 5, 40), new EpochMetrics(2, 20, 1.2, 1e-3, 0.5, 0.6, 0.4, 5, 40)], false, 20, 10, null));
        var running = AddRun("resnet18", finished: false);
        // The progress shown is the registry row's (status.json is only its copy).
        _factory.Services.GetRequiredService<RunRegistry>().SetState(running, new RunStatus(RunState.Running, DateTimeOffset.UtcNow,
            Progress: new TrainingProgress("step", 2, 5, 30, 100, 1.234, 1e-3, 42.5, 90)));

        using var missing = await client.SendAsync(Get($"/dashboard?runs={a},{b}", null), Ct);
        using var page = await client.SendAsync(Get($"/dashboard?runs={a},{b}", Key), Ct);
        var html = await page.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode); // PageAuthorization: a key when keys are set
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Learning curves", html, StringComparison.Ordinal);
        Assert.Single(html.Split("<polyline class=\"curve\"").Skip(1)); // b has no history: one curve
        Assert.Contains("Training now", html, StringComparison.Ordinal);
        Assert.Contains(running, html, StringComparison.Ordinal);
        Assert.Contains("<progress max=\"1\" value=\"0.300\">", html, StringComparison.Ordinal);
        Assert.Contains("<td>2/5</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_nothing_training_the_page_says_so()
    {
        using var client = _factory.CreateClient();
        var a = AddRun("wav2vec2");
        var b = AddRun("resnet18");

        using var page = await client.SendAsync(Get($"/dashboard?runs={a},{b}", Key), Ct);
        var html = await page.Content.ReadAsStringAsync(Ct);

        Assert.Contains("No run is training.", html, StringComparison.Ordinal);
        Assert.Contains("No training history", html, StringComparison.Ordinal);
    }
}
