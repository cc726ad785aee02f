using System.Diagnostics;
using System.Text.Json;
using Ser.Core.Data.Synthetic;
using Ser.Core.Models;
using Ser.Core.Models.Wav2Vec2;
using Ser.Tests;

namespace Ser.Api.Tests.Jobs;

/// <summary>A real Ser process asked to fine-tune from <c>wav2vec2-base</c> with no such folder under models/: online it
/// fetches facebook/wav2vec2-base from <c>HF_ENDPOINT</c> (a local server here) inside the job and trains; offline the
/// job fails with a message naming the folder to fill, and never touches the network.</summary>
[CollectionDefinition(nameof(HubDownloadJobTests), DisableParallelization = true)]
[Collection(nameof(HubDownloadJobTests))]
public sealed class HubDownloadJobTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-hubjob-").FullName;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static readonly object Job = new
    {
        architecture = "wav2vec2", preset = "wav2vec2-tiny", dataset = "synthetic", baseCheckpoint = "wav2vec2-base",
        hyperParameters = new { epochs = 1, batchSize = 4 },
    };

    [Fact]
    public async Task A_missing_base_checkpoint_is_fetched_from_HF_ENDPOINT_by_the_job_and_offline_the_job_names_the_folder_to_fill()
    {
        using var slot = await TrainingSlot.AcquireAsync(Ct);
        var watch = Stopwatch.StartNew();
        var corpus = Path.Combine(_temp, "synthetic");
        SyntheticCorpusGenerator.Generate(corpus, new SyntheticCorpusOptions { Actors = 6, Sentences = 2, Seed = 4 }, Ct);
        var source = Path.Combine(_temp, "hub-copy");
        using (var model = new Wav2Vec2ForSequenceClassification(ModelPresets.Wav2Vec2Tiny.Wav2Vec2!)) Wav2Vec2Checkpoint.Save(model, source);
        await using var hub = new HubServer();
        hub.ServeFolder("facebook/wav2vec2-base", source);

        var offline = Path.Combine(_temp, "offline");
        using (var api = new ApiProcess(offline, Settings(corpus, hub, ("HF_HUB_OFFLINE", "1"))))
        {
            await api.WaitUntilLiveAsync(Ct);
            var failed = await api.WaitForJobAsync(await api.StartJobAsync(Job, Ct), ["succeeded", "failed"], Ct);
            Assert.Equal("failed", failed.GetProperty("state").GetString());
            var error = failed.GetProperty("error").GetString()!;
            // The folder to fill, named as the README names it: the server's own path is not for anyone who can read /jobs.
            Assert.Contains("{data}/models/wav2vec2-base", error, StringComparison.Ordinal);
            Assert.DoesNotContain(offline, error, StringComparison.Ordinal);
            Assert.Contains("HF_HUB_OFFLINE", error, StringComparison.Ordinal);
            Assert.Equal(0, hub.Requests);
        }

        // Online, the hub answers 503 twice and cuts the weights mid-way once: retried, resumed, and the job succeeds.
        hub.Serve("facebook/wav2vec2-base", "config.json", Path.Combine(source, "config.json"), "503", failures: 2);
        hub.Serve("facebook/wav2vec2-base", "model.safetensors", Path.Combine(source, "model.safetensors"), "cut", failures: 1);
        var online = Path.Combine(_temp, "online");
        using (var api = new ApiProcess(online, Settings(corpus, hub)))
        {
            await api.WaitUntilLiveAsync(Ct);
            var done = await api.WaitForJobAsync(await api.StartJobAsync(Job, Ct), ["succeeded", "failed"], Ct);
            Assert.True(done.GetProperty("state").GetString() == "succeeded", done.GetProperty("error").ToString());
        }
        var fetched = Path.Combine(online, "models", "wav2vec2-base");
        Assert.Equal(File.ReadAllBytes(Path.Combine(source, "model.safetensors")), File.ReadAllBytes(Path.Combine(fetched, "model.safetensors")));
        Assert.True(hub.Requests >= 2);
        var weights = new FileInfo(Path.Combine(source, "model.safetensors")).Length;
        Assert.Single(hub.Ranges);
        Assert.True(hub.BytesServed < 2 * weights, $"{hub.BytesServed} bytes served for {weights} bytes of weights");
        var spec = JsonDocument.Parse(File.ReadAllText(Directory.GetFiles(Path.Combine(online, "runs"), "spec.json", SearchOption.AllDirectories).Single()));
        Assert.Equal(fetched, spec.RootElement.GetProperty("baseCheckpoint").GetString());
        log.WriteLine($"offline + online jobs: {watch.Elapsed.TotalSeconds:0} s, {hub.Requests} hub requests");
    }

    private static Dictionary<string, string> Settings(string corpus, HubServer hub, params (string Key, string Value)[] extra)
    {
        var settings = ApiProcess.SyntheticDataset(corpus);
        settings["HF_ENDPOINT"] = hub.Endpoint.ToString().TrimEnd('/');
        foreach (var (key, value) in extra) settings[key] = value;
        return settings;
    }
}
