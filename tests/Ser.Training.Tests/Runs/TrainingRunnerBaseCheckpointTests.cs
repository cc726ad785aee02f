using Ser.Core.Models;
using Ser.Training.BaseCheckpoints;
using Ser.Training.Loops;
using Ser.Training.Recipes;
using Ser.Training.Runs;
using Ser.Training.Tests.BaseCheckpoints;
using Ser.Tests;

namespace Ser.Training.Tests.Runs;

public sealed class TrainingRunnerBaseCheckpointTests : IDisposable
{
    private static readonly HttpClient Http = new();
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-runner-base-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string Models => Path.Combine(_temp, "models");

    private TrainingRunner Runner(BaseCheckpointCatalog? catalog) =>
        new(new RunStore(Path.Combine(_temp, "runs")), new RunRegistry(Path.Combine(_temp, "registry.db")), baseCheckpoints: catalog);

    private RunSpec Spec(string baseCheckpoint) => new(TrainingRunner.NewRunId(), "train", ModelArchitectures.Wav2Vec2, "wav2vec2-tiny",
        "synthetic", "synthetic", Path.Combine(_temp, "no-corpus"), new SplitSpec(),
        Wav2Vec2Recipe.Defaults(new HyperParameters(), ModelPresets.Wav2Vec2Tiny), Path.Combine(Models, baseCheckpoint), null, "cpu", DateTimeOffset.UtcNow);

    [Fact]
    public async Task A_known_base_checkpoint_that_is_absent_is_downloaded_before_the_model_is_built()
    {
        await using var server = new HubServer();
        server.ServeFolder("facebook/wav2vec2-base", TinyCheckpoints.Wav2Vec2(Path.Combine(_temp, "source")));
        var runner = Runner(new BaseCheckpointCatalog(new HuggingFaceHub(Http, new HuggingFaceHubSettings(server.Endpoint))));

        var spec = await runner.ResolveBaseCheckpointAsync(Spec("wav2vec2-base"), TestContext.Current.CancellationToken);

        Assert.Equal(Path.Combine(Models, "wav2vec2-base"), spec.BaseCheckpoint);
        using var model = TrainingRunner.CreateModel(spec);
        Assert.True(server.Requests > 0);
    }

    [Fact]
    public async Task While_the_base_checkpoint_downloads_the_run_status_shows_the_download_phase_with_a_fraction()
    {
        await using var server = new HubServer();
        var source = TinyCheckpoints.Wav2Vec2(Path.Combine(_temp, "source"));
        server.ServeFolder("facebook/wav2vec2-base", source);
        var runner = Runner(new BaseCheckpointCatalog(new HuggingFaceHub(Http, new HuggingFaceHubSettings(server.Endpoint))));
        var spec = Spec("wav2vec2-base");
        runner.Create(spec);
        var seen = new List<(TrainingProgress Reported, TrainingProgress? Status)>();
        var progress = new CallbackProgress<TrainingProgress>(p => seen.Add((p, runner.Store.ReadStatus(spec.RunId).Progress)));

        // The corpus does not exist: the run fails after the download, before any epoch.
        await Assert.ThrowsAnyAsync<Exception>(() => runner.TrainAsync(spec.RunId, progress, TestContext.Current.CancellationToken));

        var weights = new FileInfo(Path.Combine(source, "model.safetensors")).Length;
        var last = seen.Last(s => s.Reported.File == "model.safetensors");
        Assert.All(seen, s => Assert.Equal(TrainingProgress.DownloadPhase, s.Reported.Phase));
        Assert.Equal((weights, weights, 1.0), (last.Reported.Bytes, last.Reported.TotalBytes, last.Reported.Fraction));
        Assert.Equal(last.Reported, last.Status); // written to status.json, which /jobs/{id} serves
        Assert.Contains(seen, s => s.Reported.Fraction is > 0 and < 1);
    }

    [Fact]
    public async Task A_run_whose_base_checkpoint_cannot_be_fetched_fails_with_the_folder_to_fill()
    {
        var catalog = new BaseCheckpointCatalog(new HuggingFaceHub(Http, new HuggingFaceHubSettings(HuggingFaceHubSettings.DefaultEndpoint, Offline: true)));
        var runner = Runner(catalog);
        var spec = Spec("wav2vec2-base");
        runner.Create(spec);

        await Assert.ThrowsAsync<BaseCheckpointMissingException>(() => runner.TrainAsync(spec.RunId, cancellationToken: TestContext.Current.CancellationToken));

        var status = runner.Store.ReadStatus(spec.RunId);
        Assert.Equal(RunState.Failed, status.State);
        Assert.Contains(Path.Combine(Models, "wav2vec2-base"), status.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_catalog_the_spec_is_left_as_it_is()
    {
        var spec = Spec("wav2vec2-base");

        Assert.Same(spec, await Runner(null).ResolveBaseCheckpointAsync(spec, TestContext.Current.CancellationToken));
    }
}
