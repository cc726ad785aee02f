using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Ser.Core.Data;
using Ser.Training.Runs;

namespace Ser.Api.Tests.Metrics;

public sealed class MetricsEndpointsTests : SerApiTest
{
    private string AddRun(string architecture, long splitSeed, Func<ClipInfo, int> predict, bool finished = true, bool random = false) =>
        FakeRuns.Add(Factory.Services.GetRequiredService<RunStore>(), Factory.Services.GetRequiredService<RunRegistry>(), architecture, splitSeed,
            predict, finished, random);

    [Fact]
    public async Task Runs_are_listed_with_headline_figures_and_cis()
    {
        var a = AddRun("wav2vec2", 1, c => c.Label);
        AddRun("resnet18", 1, c => 0, finished: false);

        var body = await Client.GetFromJsonAsync<JsonElement>(new Uri("/metrics/runs", UriKind.Relative), Ct);

        var items = body.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(2, items.Length);
        var done = items.Single(i => i.GetProperty("runId").GetString() == a);
        Assert.Equal(1.0, done.GetProperty("metrics").GetProperty("wa").GetProperty("value").GetDouble());
        Assert.Equal(2, done.GetProperty("metrics").GetProperty("ua").GetProperty("ci95").GetArrayLength());
        Assert.Equal("actor", done.GetProperty("split").GetProperty("strategy").GetString());
        Assert.Equal(JsonValueKind.Null, items.Single(i => i.GetProperty("runId").GetString() != a).GetProperty("metrics").ValueKind);
    }

    [Fact]
    public async Task A_runs_full_evaluation_has_every_breakdown_and_unknown_or_unfinished_runs_are_refused()
    {
        var a = AddRun("resnet18", 1, c => c.Label == 5 ? 0 : c.Label);
        var queued = AddRun("resnet18", 1, c => 0, finished: false);

        var body = await Client.GetFromJsonAsync<JsonElement>(new Uri($"/metrics/runs/{a}", UriKind.Relative), Ct);
        var metrics = body.GetProperty("metrics");

        Assert.Equal(6, metrics.GetProperty("perClass").GetArrayLength());
        Assert.Equal(0, metrics.GetProperty("perClass")[5].GetProperty("recall").GetDouble());
        Assert.Equal(6, metrics.GetProperty("confusion").GetProperty("matrix").GetArrayLength());
        Assert.Equal(["female", "male"], metrics.GetProperty("bySex").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["HI", "XX"], metrics.GetProperty("byIntensity").EnumerateObject().Select(p => p.Name));
        Assert.True(metrics.GetProperty("ece").GetDouble() >= 0);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("human").ValueKind);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("humanAbsentReason").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync(new Uri("/metrics/runs/r-none", UriKind.Relative), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Client.GetAsync(new Uri($"/metrics/runs/{queued}", UriKind.Relative), Ct)).StatusCode);
    }

    [Fact]
    public async Task Compare_pairs_runs_on_one_split_and_refuses_different_splits_unless_allowed()
    {
        var a = AddRun("wav2vec2", 1, c => c.Label);
        var b = AddRun("resnet18", 1, c => c.Label % 2 == 0 ? c.Label : 0);
        var c = AddRun("resnet18", 2, c => c.Label);

        var same = await Client.GetFromJsonAsync<JsonElement>(new Uri($"/metrics/compare?runs={a},{b}", UriKind.Relative), Ct);
        var different = await Client.GetAsync(new Uri($"/metrics/compare?runs={a},{c}", UriKind.Relative), Ct);
        var allowed = await Client.GetAsync(new Uri($"/metrics/compare?runs={a},{c}&allowDifferentSplits=true", UriKind.Relative), Ct);

        var registry = Factory.Services.GetRequiredService<RunRegistry>();
        Assert.Equal(registry.Find(b)!.Ua!.Value, same.GetProperty("runs")[1].GetProperty("metrics").GetProperty("ua").GetProperty("value").GetDouble(), 12);
        Assert.Equal(0, same.GetProperty("mcnemar").GetProperty("c").GetInt32());
        Assert.True(same.GetProperty("mcnemar").GetProperty("b").GetInt32() > 0);
        Assert.Equal(HttpStatusCode.Conflict, different.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task A_runs_evaluation_carries_its_calibration_and_its_splits_leakage_audit()
    {
        var a = AddRun("wav2vec2", 1, c => c.Label % 3 == 0 ? 0 : c.Label);

        var body = await Client.GetFromJsonAsync<JsonElement>(new Uri($"/metrics/runs/{a}", UriKind.Relative), Ct);

        var calibration = body.GetProperty("metrics").GetProperty("calibration");
        Assert.Equal((1.5, 24), (calibration.GetProperty("temperature").GetDouble(), calibration.GetProperty("validationClips").GetInt32()));
        Assert.Equal(15, calibration.GetProperty("reliabilityAfter").GetArrayLength());
        var curve = calibration.GetProperty("riskCoverage").EnumerateArray().ToArray();
        Assert.Equal(20, curve.Length);
        Assert.Equal(body.GetProperty("metrics").GetProperty("wa").GetProperty("value").GetDouble(), curve[^1].GetProperty("accuracy").GetDouble(), 9);
        Assert.True(calibration.GetProperty("eceAfter").GetDouble() >= 0 && calibration.GetProperty("aurc").GetDouble() >= 0);
        var leakage = body.GetProperty("split").GetProperty("leakage");
        Assert.Equal(0, leakage.GetProperty("sharedSpeakers").GetInt32());
        Assert.Equal(3, leakage.GetProperty("pairs").GetArrayLength());
    }

    [Fact]
    public async Task Comparing_a_random_split_run_with_an_actor_split_run_shows_the_inflation()
    {
        var seed = AddRun("resnet18", 1, c => c.Label, random: true);
        var actor = AddRun("resnet18", 1, c => c.Id.EndsWith("_c1", StringComparison.Ordinal) ? c.Label : (c.Label + 1) % 6);

        var body = await Client.GetFromJsonAsync<JsonElement>(new Uri($"/metrics/compare?runs={seed},{actor}&allowDifferentSplits=true", UriKind.Relative), Ct);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/metrics/compare?runs={seed},{actor}&allowDifferentSplits=true", UriKind.Relative));
        request.Headers.Accept.ParseAdd("text/html");
        var html = await (await Client.SendAsync(request, Ct)).Content.ReadAsStringAsync(Ct);

        var gain = Assert.Single(body.GetProperty("inflation").EnumerateArray());
        Assert.Equal((seed, actor), (gain.GetProperty("dependentRun").GetString(), gain.GetProperty("independentRun").GetString()));
        Assert.True(gain.GetProperty("wa").GetProperty("ci95")[0].GetDouble() > 0);
        Assert.True(body.GetProperty("runs")[0].GetProperty("split").GetProperty("leakage").GetProperty("sharedSpeakers").GetInt32() > 0);
        Assert.Contains("Speaker-overlap inflation", html, StringComparison.Ordinal);
        Assert.Contains("Calibration and abstention", html, StringComparison.Ordinal);
        Assert.Contains("Risk–coverage", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Browsers_get_a_dashboard_page_with_both_models()
    {
        var a = AddRun("wav2vec2", 1, c => c.Label);
        var b = AddRun("resnet18", 1, c => (c.Label + 1) % 6);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/metrics/compare?runs={a},{b}", UriKind.Relative));
        request.Headers.Accept.ParseAdd("text/html");

        var response = await Client.SendAsync(request, Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);
        var dashboard = await Client.GetStringAsync(new Uri($"/dashboard?runs={a},{b}", UriKind.Relative), Ct);

        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(a, html, StringComparison.Ordinal);
        Assert.Contains(b, html, StringComparison.Ordinal);
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.Contains("1.000", html, StringComparison.Ordinal);
        Assert.Equal(html, dashboard);
    }

    [Fact]
    public async Task Compare_without_runs_or_active_models_says_what_to_do()
    {
        var response = await Client.GetAsync(new Uri("/metrics/compare", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("?runs=a,b", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
