using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Ser.Core.Data.Synthetic;

namespace Ser.Api.Tests.Jobs;

/// <summary>A real Ser process (SQLite job storage) is killed mid-training; a new process resumes the job from its
/// checkpoint and ends with the same test metrics as an uninterrupted run of the same job.</summary>
[CollectionDefinition(nameof(KillResumeTests), DisableParallelization = true)]
[Collection(nameof(KillResumeTests))]
public sealed class KillResumeTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-kill-").FullName;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static readonly object Job = new
    {
        architecture = "wav2vec2", dataset = "synthetic", hyperParameters = new { epochs = 3, batchSize = 4, checkpointEverySteps = 1 },
    };

    [Fact]
    public async Task A_killed_training_job_resumes_from_its_checkpoint_in_a_new_process_with_the_same_result()
    {
        var corpus = Path.Combine(_temp, "synthetic");
        SyntheticCorpusGenerator.Generate(corpus, new SyntheticCorpusOptions { Actors = 6, Sentences = 2, Seed = 4 }, Ct);
        var watch = Stopwatch.StartNew();

        // Uninterrupted reference.
        var reference = Path.Combine(_temp, "reference");
        JsonElement expected;
        using (var api = new ApiProcess(reference, corpus))
        {
            await api.WaitUntilLiveAsync(Ct);
            var location = await api.StartJobAsync(Job, Ct);
            var job = await api.WaitForJobAsync(location, ["succeeded", "failed"], Ct);
            Assert.Equal("succeeded", job.GetProperty("state").GetString());
            expected = await api.RunMetricsAsync(job, Ct);
        }

        // Killed after a few steps, then restarted on the same data folder.
        var data = Path.Combine(_temp, "killed");
        string jobLocation;
        using (var first = new ApiProcess(data, corpus))
        {
            await first.WaitUntilLiveAsync(Ct);
            jobLocation = await first.StartJobAsync(Job, Ct);
            await WaitForStep(data, 3);
            first.Kill();
        }
        using var second = new ApiProcess(data, corpus);
        await second.WaitUntilLiveAsync(Ct);
        var resumed = await second.WaitForJobAsync(jobLocation, ["succeeded", "failed"], Ct);
        log.WriteLine($"reference + kill + resume: {watch.Elapsed.TotalSeconds:0} s");

        Assert.Equal("succeeded", resumed.GetProperty("state").GetString());
        Assert.True(resumed.GetProperty("attempt").GetInt32() >= 2);
        var run = resumed.GetProperty("runs")[0];
        Assert.True(run.GetProperty("resumedFromStep").GetInt64() >= 3, "the run started over instead of resuming");
        var actual = await second.RunMetricsAsync(resumed, Ct);
        foreach (var figure in new[] { "wa", "ua", "macroF1" })
            Assert.Equal(expected.GetProperty(figure).GetProperty("value").GetDouble(), actual.GetProperty(figure).GetProperty("value").GetDouble());
    }

    private static async Task WaitForStep(string data, int step)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (DateTime.UtcNow < deadline)
        {
            var runs = Path.Combine(data, "runs");
            var state = Directory.Exists(runs)
                ? Directory.GetDirectories(runs).Select(d => Path.Combine(d, "checkpoints", "last", "state.json")).FirstOrDefault(File.Exists)
                : null;
            if (state is not null && JsonDocument.Parse(File.ReadAllText(state)).RootElement.GetProperty("step").GetInt64() >= step) return;
            await Task.Delay(100, Ct);
        }
        throw new TimeoutException($"No checkpoint at step {step}.");
    }

    /// <summary>Ser.Api as a separate process on a free port, with its own data folder and the synthetic dataset.</summary>
    private sealed class ApiProcess : IDisposable
    {
        private readonly Process _process;
        private readonly HttpClient _http;

        public ApiProcess(string data, string corpus)
        {
            var port = FreePort();
            var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Ser.Api.dll"));
            info.ArgumentList.Add("--urls");
            info.ArgumentList.Add($"http://127.0.0.1:{port}");
            info.Environment["Ser__DataPath"] = data;
            info.Environment["Ser__Datasets__synthetic__Path"] = corpus;
            info.Environment["Ser__Datasets__synthetic__Kind"] = "synthetic";
            info.WorkingDirectory = AppContext.BaseDirectory;
            _process = Process.Start(info)!;
            _process.OutputDataReceived += (_, _) => { };
            _process.ErrorDataReceived += (_, _) => { };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        }

        public async Task WaitUntilLiveAsync(CancellationToken ct)
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (true)
            {
                try
                {
                    if ((await _http.GetAsync(new Uri("/health/live", UriKind.Relative), ct)).StatusCode == HttpStatusCode.OK) return;
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline) { }
                if (DateTime.UtcNow > deadline) throw new TimeoutException("The service did not start.");
                await Task.Delay(200, ct);
            }
        }

        public async Task<string> StartJobAsync(object body, CancellationToken ct)
        {
            var response = await _http.PostAsJsonAsync(new Uri("/jobs/train", UriKind.Relative), body, ct);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            return response.Headers.Location!.ToString();
        }

        public async Task<JsonElement> WaitForJobAsync(string location, string[] states, CancellationToken ct)
        {
            var deadline = DateTime.UtcNow.AddMinutes(8);
            while (true)
            {
                var job = await _http.GetFromJsonAsync<JsonElement>(new Uri(location, UriKind.Relative), ct);
                if (states.Contains(job.GetProperty("state").GetString())) return job;
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"Job still {job.GetProperty("state")}");
                await Task.Delay(500, ct);
            }
        }

        public async Task<JsonElement> RunMetricsAsync(JsonElement job, CancellationToken ct)
        {
            var runId = job.GetProperty("runs")[0].GetProperty("runId").GetString();
            var metrics = await _http.GetFromJsonAsync<JsonElement>(new Uri($"/metrics/runs/{runId}", UriKind.Relative), ct);
            return metrics.GetProperty("metrics");
        }

        public void Kill() => _process.Kill(entireProcessTree: true);

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            _process.Dispose();
            _http.Dispose();
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
