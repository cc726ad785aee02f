using Hangfire;
using Ser.Api.Jobs;
using Ser.Core.Data.Synthetic;
using Ser.Core.Models;
using Ser.Training.Loops;
using Ser.Training.Recipes;
using Ser.Training.Runs;
using Ser.Tests;

namespace Ser.Api.Tests.Jobs;

/// <summary><see cref="JobStateFilter"/> owns the job record for every kind of job, and a server shutdown means the same
/// for all of them: queued again, resumed by the next delivery.</summary>
[CollectionDefinition(nameof(JobStateFilterTests), DisableParallelization = true)]
[Collection(nameof(JobStateFilterTests))]
public sealed class JobStateFilterTests : IDisposable
{
    private readonly JobServerHarness _harness = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _harness.Dispose();

    private static bool Finished(JobRecord job) => job.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled;

    [Fact]
    public async Task A_job_that_writes_no_state_is_running_while_it_runs_then_succeeded_or_failed_with_its_error()
    {
        using var server = _harness.StartServer();
        var passes = _harness.Start("probe", [], id => _harness.Client.Enqueue<ProbeJob>(j => j.Run(id, false)));
        var fails = _harness.Start("probe", [], id => _harness.Client.Enqueue<ProbeJob>(j => j.Run(id, true)));

        var passed = await _harness.WaitForAsync(passes, Finished, Ct);
        var failed = await _harness.WaitForAsync(fails, Finished, Ct);

        var seen = _harness.Seen.Single(j => j.Id == passes);
        Assert.Equal((JobState.Running, 1), (seen.State, seen.Attempt));
        Assert.NotNull(seen.StartedAt);
        Assert.Equal((JobState.Succeeded, 1, null), (passed.State, passed.Attempt, passed.Error));
        Assert.NotNull(passed.FinishedAt);
        Assert.Equal(JobState.Running, _harness.Seen.Single(j => j.Id == fails).State);
        Assert.Equal((JobState.Failed, "the probe failed on purpose"), (failed.State, failed.Error));
        // The filter opened the {JobId} scope around each job.
        var logged = _harness.Recorder.Entries.Where(e => e.Message == "The probe runs").ToArray();
        Assert.Equal([passes, fails], logged.Select(e => e.Scopes.OfType<IReadOnlyDictionary<string, object>>().Single()["JobId"]));
    }

    [Fact]
    public async Task Training_and_evaluation_jobs_get_their_final_state_from_the_filter()
    {
        using var server = _harness.StartServer();
        // An evaluation run whose source has no model fails; a training job naming a run that was never recorded fails.
        var evaluation = EvaluationSpec("r-none");
        _harness.Runner.Create(evaluation);
        var evaluates = _harness.Start("evaluate", [evaluation.RunId],
            id => _harness.Client.Enqueue<EvaluateRunsJob>(j => j.RunAsync(id, CancellationToken.None)));
        var trainsNothing = _harness.Start("train", [], id => _harness.Client.Enqueue<TrainModelJob>(j => j.RunAsync(id, CancellationToken.None)));
        var trainsMissing = _harness.Start("train", ["r-missing"], id => _harness.Client.Enqueue<TrainModelJob>(j => j.RunAsync(id, CancellationToken.None)));

        var evaluated = await _harness.WaitForAsync(evaluates, Finished, Ct);
        var empty = await _harness.WaitForAsync(trainsNothing, Finished, Ct);
        var missing = await _harness.WaitForAsync(trainsMissing, Finished, Ct);

        Assert.Equal((JobState.Failed, 1), (evaluated.State, evaluated.Attempt));
        Assert.Contains("has no finished model", evaluated.Error, StringComparison.Ordinal);
        Assert.Equal((JobState.Succeeded, 1), (empty.State, empty.Attempt));
        Assert.Equal((JobState.Failed, 1), (missing.State, missing.Attempt));
        Assert.Contains("spec.json", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_shutdown_mid_evaluation_queues_the_job_again_and_the_next_delivery_finishes_the_unfinished_runs()
    {
        var source = TrainedSource();
        var runs = Enumerable.Range(0, 6).Select(_ => EvaluationSpec(source.RunId, source)).ToArray();
        foreach (var run in runs) _harness.Runner.Create(run);
        var jobId = _harness.Start("evaluate", runs.Select(r => r.RunId).ToArray(),
            id => _harness.Client.Enqueue<EvaluateRunsJob>(j => j.RunAsync(id, CancellationToken.None)));

        using (var first = _harness.StartServer())
        {
            await WaitUntilAsync(() => _harness.Runner.Registry.Find(runs[0].RunId)!.State == RunState.Succeeded);
            first.SendStop();
        }

        var stopped = _harness.Jobs.Find(jobId)!;
        var states = runs.Select(r => _harness.Runner.Registry.Find(r.RunId)!.State).ToArray();
        Assert.Equal(JobState.Queued, stopped.State);
        Assert.Null(stopped.Error);
        Assert.Contains(states, s => s != RunState.Succeeded);

        using var second = _harness.StartServer();
        var resumed = await _harness.WaitForAsync(jobId, Finished, Ct);

        Assert.Equal((JobState.Succeeded, 2), (resumed.State, resumed.Attempt));
        Assert.All(runs, r => Assert.Equal(RunState.Succeeded, _harness.Runner.Registry.Find(r.RunId)!.State));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition never held.");
            await Task.Delay(20, Ct);
        }
    }

    // A succeeded training run with an untrained resnet18-tiny model: enough to evaluate.
    private RunSpec TrainedSource()
    {
        var corpus = Path.Combine(_harness.Root, "synthetic");
        SyntheticCorpusGenerator.Generate(corpus, new SyntheticCorpusOptions { Actors = 6, Sentences = 2, Seed = 4 }, Ct);
        var spec = EvaluationSpec(null) with { Kind = "train", DatasetPath = corpus, SourceRun = null };
        _harness.Runner.Create(spec);
        using (var model = TrainingRunner.CreateModel(spec)) model.SaveModel(_harness.Runner.Store.Model(spec.RunId));
        _harness.Runner.Registry.Complete(spec.RunId, 0.2, 0.2, 0.2, 1, new RunStatus(RunState.Succeeded, FinishedAt: DateTimeOffset.UtcNow));
        return spec;
    }

    private RunSpec EvaluationSpec(string? source, RunSpec? like = null) =>
        new(TrainingRunner.NewRunId(), "evaluate", ModelArchitectures.ResNet18, "resnet18-tiny", "synthetic", "synthetic",
            like?.DatasetPath ?? Path.Combine(_harness.Root, "no-corpus"), new SplitSpec(),
            ResNetRecipe.Defaults(new HyperParameters(), ModelPresets.ResNet18Tiny), null, null, "cpu", DateTimeOffset.UtcNow, source);
}
