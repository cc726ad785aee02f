using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ser.Tests;
using Ser.Api.Tests.Wav;

namespace Ser.Api.Tests.QuickStart;

/// <summary>The README's quick start, scripted: <c>dotnet run --project src/Ser.Api</c> on an empty data folder
/// generates the synthetic corpus, trains both tiny presets in the background while answering 503 with progress, then
/// classifies. A restart on the same folder serves at once without training again. The deadline is generous (20 min,
/// PITFALLS.md); the time taken is reported, not asserted.</summary>
[CollectionDefinition(nameof(QuickStartTests), DisableParallelization = true)]
[Collection(nameof(QuickStartTests))]
public sealed class QuickStartTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Times, stages and the bootstrap's comparison report, also written to <c>quickstart-report.md</c> beside
    /// the test binaries (test output of passing tests is not shown by `dotnet test`).</summary>
    private readonly Report log = new(output, Path.Combine(AppContext.BaseDirectory, "quickstart-report.md"));

    private readonly string _data = Directory.CreateTempSubdirectory("ser-quick-").FullName;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task The_first_command_bootstraps_both_models_and_classifies_within_the_deadline()
    {
        using var slot = await TrainingSlot.AcquireAsync(TestContext.Current.CancellationToken);
        File.Delete(Path.Combine(AppContext.BaseDirectory, "quickstart-report.md"));
        log.WriteLine($"# Quick start, {DateTimeOffset.UtcNow:u}, {Environment.ProcessorCount} cores");
        var watch = Stopwatch.StartNew();
        using (var service = ApiProcess.QuickStart(TestPaths.RepositoryRoot, _data))
        {
            await service.WaitUntilLiveAsync(Ct);
            var live = watch.Elapsed;
            var (ready, stages, sawBusyClassify) = await WaitUntilReadyAsync(service, watch);
            log.WriteLine($"live after {live.TotalSeconds:0} s, ready after {ready.TotalSeconds:0} s ({ready.TotalMinutes:0.0} min); stages seen:");
            foreach (var stage in stages) log.WriteLine("  " + stage);

            // Generating the corpus takes seconds and may end before the first poll: its log line is the evidence.
            Assert.Contains(service.Output, l => l.Contains("generating the synthetic corpus", StringComparison.Ordinal));
            Assert.True(Directory.EnumerateFiles(_data, Ser.Core.Data.CremaD.CremaDCorpus.SyntheticMarker, SearchOption.AllDirectories).Any(),
                "no synthetic corpus was written under the data folder");
            Assert.Contains(stages, s => s.Contains("training wav2vec2-tiny", StringComparison.Ordinal));
            Assert.Contains(stages, s => s.Contains("training resnet18-tiny", StringComparison.Ordinal));
            Assert.True(sawBusyClassify, "/classify did not answer 503 with the bootstrap's progress while training");
            Assert.Contains(service.Output, l => l.Contains("/swagger", StringComparison.Ordinal) && l.Contains("/dashboard", StringComparison.Ordinal));

            var jobs = await service.Http.GetFromJsonAsync<JsonElement>(new Uri("/jobs", UriKind.Relative), Ct);
            var bootstrap = jobs.GetProperty("items").EnumerateArray().Single();
            Assert.Equal("j-bootstrap-1", bootstrap.GetProperty("id").GetString());
            Assert.Equal("succeeded", bootstrap.GetProperty("state").GetString());

            var body = await ClassifyAsync(service);
            Assert.Equal(2, body.GetProperty("predictions").EnumerateObject().Count());
            log.WriteLine($"first successful POST /classify after {watch.Elapsed.TotalSeconds:0} s");
            var compare = await service.Http.GetAsync(new Uri("/metrics/compare", UriKind.Relative), Ct);
            Assert.Equal(HttpStatusCode.OK, compare.StatusCode);
            // The README's math and bf16 figures: the check's choice on this CPU, and each bootstrap model's bf16 drift.
            var models = await service.Http.GetFromJsonAsync<JsonElement>(new Uri("/models", UriKind.Relative), Ct);
            var math = models.GetProperty("math");
            log.WriteLine($"math: Float32 matmul {math.GetProperty("float32Matmul").GetString()} ({math.GetProperty("float32Check").GetString()}); " +
                $"CPU {math.GetProperty("cpu").GetString()}, bf16 kernels {math.GetProperty("bf16Kernels").GetString()}");
            foreach (var loaded in models.GetProperty("loaded").EnumerateArray())
            {
                var drift = loaded.GetProperty("bf16Drift");
                Assert.Equal(JsonValueKind.Object, drift.ValueKind);
                log.WriteLine($"{loaded.GetProperty("preset").GetString()} BFloat16 against Float32 on {drift.GetProperty("clips").GetInt32()} test clips: " +
                    $"mean |Δp| {drift.GetProperty("meanAbsDiff").GetDouble():0.00000}, max |Δp| {drift.GetProperty("maxAbsDiff").GetDouble():0.0000}, " +
                    $"top label agrees on {drift.GetProperty("topLabelAgreement").GetDouble():P1}");
            }
            var report = Directory.GetFiles(Path.Combine(_data, "reports"), "comparison.md", SearchOption.AllDirectories).Single();
            log.WriteLine(File.ReadAllText(report)); // the README's results section is this report
        }

        // Nothing is trained twice: a restart serves the bootstrap's runs from the registry.
        using var again = ApiProcess.QuickStart(TestPaths.RepositoryRoot, _data);
        await again.WaitUntilLiveAsync(Ct);
        var restart = Stopwatch.StartNew();
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while ((await again.Http.GetAsync(new Uri("/health/ready", UriKind.Relative), Ct)).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, "a restart did not become ready from the registry");
            await Task.Delay(250, Ct);
        }
        log.WriteLine($"restart ready after {restart.Elapsed.TotalSeconds:0} s");
        var after = await again.Http.GetFromJsonAsync<JsonElement>(new Uri("/jobs", UriKind.Relative), Ct);
        Assert.Equal(1, after.GetProperty("items").GetArrayLength());
        await ClassifyAsync(again);
    }

    private static async Task<(TimeSpan Ready, List<string> Stages, bool SawBusyClassify)> WaitUntilReadyAsync(ApiProcess service, Stopwatch watch)
    {
        var deadline = TimeSpan.FromMinutes(20);
        var stages = new List<string>();
        var sawBusyClassify = false;
        while (true)
        {
            Assert.False(service.HasExited, "the service exited:\n" + string.Join('\n', service.Output.TakeLast(30)));
            var response = await service.Http.GetAsync(new Uri("/health/ready", UriKind.Relative), Ct);
            if (response.StatusCode == HttpStatusCode.OK) return (watch.Elapsed, stages, sawBusyClassify);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            var health = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            var stage = health.GetProperty("bootstrap").GetProperty("stage").GetString()!;
            Assert.False(stage.Contains("failed", StringComparison.Ordinal),
                $"the bootstrap failed: {stage}\n" + string.Join('\n', service.Output.Where(l => !l.Contains("HTTP GET", StringComparison.Ordinal)).TakeLast(40)));
            var summary = stage.Split(':')[0];
            if (stages.LastOrDefault()?.Split(':')[0] != summary) stages.Add(stage);
            if (!sawBusyClassify && stage.StartsWith("training", StringComparison.Ordinal))
            {
                using var form = new MultipartFormDataContent { { new ByteArrayContent(TestWav.Tone(1.0)), "file", "clip.wav" } };
                var busy = await service.Http.PostAsync(new Uri("/classify", UriKind.Relative), form, Ct);
                var problem = await busy.Content.ReadFromJsonAsync<JsonElement>(Ct);
                sawBusyClassify = busy.StatusCode == HttpStatusCode.ServiceUnavailable && busy.Headers.RetryAfter is not null
                    && problem.GetProperty("bootstrap").GetProperty("stage").GetString()!.Length > 0;
            }
            Assert.True(watch.Elapsed < deadline, $"not ready after {deadline.TotalMinutes} min; last stage: {stage}");
            await Task.Delay(1000, Ct);
        }
    }

    private static async Task<JsonElement> ClassifyAsync(ApiProcess service)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(TestWav.Tone(2.0)), "file", "clip.wav" } };
        var response = await service.Http.PostAsync(new Uri("/classify", UriKind.Relative), form, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private sealed class Report(ITestOutputHelper output, string path)
    {
        public void WriteLine(string line)
        {
            output.WriteLine(line);
            File.AppendAllText(path, line + Environment.NewLine);
        }
    }
}
