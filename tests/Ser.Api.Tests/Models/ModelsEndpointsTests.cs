using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Ser.Core.Evaluation;
using Ser.Core.Models;
using Ser.Training.Loops;
using Ser.Training.Recipes;
using Ser.Training.Runs;
using Ser.Api.Tests.Wav;

namespace Ser.Api.Tests.Models;

/// <summary>A service with no model folders configured: models come from the run registry.</summary>
public sealed class ModelsEndpointsTests : IClassFixture<ServedModelsFixture>, IDisposable
{
    private readonly ServedModelsFixture _models;
    private readonly SerApiFactory _factory = new();
    private readonly HttpClient _client;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ModelsEndpointsTests(ServedModelsFixture models)
    {
        _models = models;
        _client = _factory.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
    }

    // A succeeded run whose model folder is a copy of the fixture's (no training needed to test serving).
    private string AddRun(string architecture, RunState state = RunState.Succeeded)
    {
        var store = _factory.Services.GetRequiredService<RunStore>();
        var registry = _factory.Services.GetRequiredService<RunRegistry>();
        var id = TrainingRunner.NewRunId() + architecture[..2];
        var preset = architecture == "wav2vec2" ? ModelPresets.Wav2Vec2Tiny : ModelPresets.ResNet18Tiny;
        var spec = new RunSpec(id, "train", architecture, preset.Name, "synthetic", "synthetic", "/nowhere", new SplitSpec(),
            ResNetRecipe.Defaults(new HyperParameters(), preset), null, null, "cpu", DateTimeOffset.UtcNow);
        store.WriteSpec(spec);
        registry.Add(spec);
        Copy(architecture == "wav2vec2" ? _models.Wav2Vec2Path : _models.ResNetPath, store.Model(id));
        if (state == RunState.Succeeded) registry.Complete(id, 0.5, 0.45, 0.4, 10, new RunStatus(RunState.Succeeded, FinishedAt: DateTimeOffset.UtcNow));
        else registry.SetState(id, new RunStatus(state, FinishedAt: DateTimeOffset.UtcNow, Error: "failed on purpose"));
        return id;
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }

    private Task<HttpResponseMessage> Activate(string architecture, string? runId) =>
        _client.PostAsJsonAsync(new Uri($"/models/{architecture}/activate", UriKind.Relative), new { runId }, Ct);

    [Fact]
    public async Task Without_models_classify_answers_503_with_retry_after_and_what_to_do()
    {
        var response = await _client.PostAsync(new Uri("/classify", UriKind.Relative), new ByteArrayContent(TestWav.Tone(0.5)), Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Contains("/models/{architecture}/activate", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Activating_runs_serves_them_reports_them_and_survives_a_restart()
    {
        var w = AddRun("wav2vec2");
        var r = AddRun("resnet18");
        _factory.Services.GetRequiredService<RunStore>().WriteBf16Drift(r, new PrecisionDrift("BFloat16", 40, 0.004, 0.03, 0.975, "cpu x", "amx"));

        var first = await Activate("wav2vec2", w);
        var second = await Activate("resnet18", r);
        var ready = await _client.GetAsync(new Uri("/health/ready", UriKind.Relative), Ct);
        var models = await _client.GetFromJsonAsync<JsonElement>(new Uri("/models", UriKind.Relative), Ct);
        var classify = await _client.PostAsync(new Uri("/classify", UriKind.Relative), new ByteArrayContent(TestWav.Tone(0.8)), Ct);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(w, models.GetProperty("active").GetProperty("wav2vec2").GetString());
        Assert.Equal(0.45, models.GetProperty("loaded")[1].GetProperty("testMetrics").GetProperty("ua").GetDouble());
        var drift = models.GetProperty("loaded")[0].GetProperty("bf16Drift"); // resnet18 sorts first
        Assert.Equal(0.03, drift.GetProperty("maxAbsDiff").GetDouble());
        Assert.Equal(0.975, drift.GetProperty("topLabelAgreement").GetDouble());
        Assert.Equal(JsonValueKind.Null, models.GetProperty("loaded")[1].GetProperty("bf16Drift").ValueKind);
        Assert.Equal("Float32", models.GetProperty("loaded")[1].GetProperty("precision").GetString());
        Assert.All(models.GetProperty("loaded").EnumerateArray(), loaded =>
        {
            var pass = loaded.GetProperty("pass"); // timed at load
            Assert.InRange(pass.GetProperty("threads").GetInt32(), 1, TorchSharp.torch.get_num_threads());
            Assert.True(pass.GetProperty("oneThreadMs").GetDouble() > 0);
            Assert.True(pass.GetProperty("allThreadsMs").GetDouble() > 0);
            Assert.Equal(TorchSharp.torch.get_num_threads(), pass.GetProperty("measuredThreads").GetInt32());
        });
        var prediction = (await classify.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("predictions").GetProperty("resnet18");
        Assert.Equal(r, prediction.GetProperty("runId").GetString());

        using var restarted = new SerApiFactory();
        restarted.Settings["Ser:DataPath"] = _factory.DataPath;
        await restarted.WaitUntilReadyAsync(Ct);
        using var again = restarted.CreateClient();
        var reloaded = await again.GetFromJsonAsync<JsonElement>(new Uri("/models", UriKind.Relative), Ct);
        Assert.Equal(r, reloaded.GetProperty("active").GetProperty("resnet18").GetString());
    }

    [Fact]
    public async Task Activation_refuses_unknown_architectures_and_runs_and_runs_that_do_not_fit()
    {
        var w = AddRun("wav2vec2");
        var failed = AddRun("resnet18", RunState.Failed);

        Assert.Equal(HttpStatusCode.NotFound, (await Activate("lstm", w)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Activate("resnet18", "r-nope")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Activate("resnet18", w)).StatusCode);
        var notSucceeded = await Activate("resnet18", failed);
        Assert.Equal(HttpStatusCode.Conflict, notSucceeded.StatusCode);
        Assert.Contains("failed", (await notSucceeded.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await Activate("wav2vec2", null)).StatusCode);
    }

    [Fact]
    public async Task A_hot_swap_under_load_fails_no_request()
    {
        var a = AddRun("resnet18");
        var b = AddRun("resnet18");
        Assert.Equal(HttpStatusCode.OK, (await Activate("resnet18", a)).StatusCode);
        var clip = TestWav.Tone(0.7);

        var requests = Enumerable.Range(0, 40).Select(async i =>
        {
            await Task.Delay(i * 5, Ct);
            return await _client.PostAsync(new Uri("/classify?models=resnet18", UriKind.Relative), new ByteArrayContent(clip), Ct);
        }).ToArray();
        await Task.Delay(60, Ct);
        var swaps = new[] { await Activate("resnet18", b), await Activate("resnet18", a) };
        var responses = await Task.WhenAll(requests);

        Assert.All(swaps, s => Assert.Equal(HttpStatusCode.OK, s.StatusCode));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
    }
}
