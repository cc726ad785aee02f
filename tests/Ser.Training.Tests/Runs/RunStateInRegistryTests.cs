using Ser.Core.Models;
using Ser.Training.Loops;
using Ser.Training.Recipes;
using Ser.Training.Runs;
using Ser.Training.Storage;

namespace Ser.Training.Tests.Runs;

/// <summary>The registry row holds a run's whole state (status.json is its copy), and databases made before the state
/// columns open and gain them.</summary>
public sealed class RunStateInRegistryTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-runstate-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void A_database_made_before_the_state_columns_opens_and_its_runs_read_as_first_attempts()
    {
        var path = Path.Combine(_temp, "registry.db");
        using (var old = SqlDatabase.Sqlite(path))
        {
            old.Execute("""
                CREATE TABLE runs (
                  id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT, architecture TEXT NOT NULL, preset TEXT NOT NULL,
                  dataset TEXT NOT NULL, split_strategy TEXT NOT NULL, split_seed BIGINT NOT NULL, split_hash TEXT,
                  speaker_independent BIGINT NOT NULL, state TEXT NOT NULL, created_at TEXT NOT NULL, finished_at TEXT,
                  wa DOUBLE PRECISION, ua DOUBLE PRECISION, macro_f1 DOUBLE PRECISION, training_seconds DOUBLE PRECISION,
                  device TEXT NOT NULL, error TEXT)
                """);
            old.Execute("""
                INSERT INTO runs (id, kind, architecture, preset, dataset, split_strategy, split_seed, speaker_independent, state, created_at, device)
                VALUES ('r-old', 'train', 'resnet18', 'resnet18-tiny', 'synthetic', 'speaker', 1, 1, 'succeeded', '2026-01-01T00:00:00.0000000+00:00', 'cpu')
                """);
        }

        var registry = new RunRegistry(path);

        var run = registry.Find("r-old")!;
        Assert.Equal((RunState.Succeeded, 0, null, null), (run.State, run.Attempt, run.StartedAt, run.Progress));
    }

    [Fact]
    public void The_runners_state_and_progress_are_in_the_row_and_status_json_is_the_same_copy()
    {
        var runner = new TrainingRunner(new RunStore(Path.Combine(_temp, "runs")), new RunRegistry(Path.Combine(_temp, "registry.db")));
        var spec = new RunSpec(TrainingRunner.NewRunId(), "train", ModelArchitectures.ResNet18, "resnet18-tiny", "synthetic", "synthetic",
            Path.Combine(_temp, "no-corpus"), new SplitSpec(), ResNetRecipe.Defaults(new HyperParameters(), ModelPresets.ResNet18Tiny), null, null, "cpu",
            DateTimeOffset.UtcNow);
        runner.Create(spec);

        // The corpus is missing: the run fails at once, after it was marked running.
        Assert.ThrowsAny<Exception>(() => runner.TrainAsync(spec.RunId, cancellationToken: TestContext.Current.CancellationToken).GetAwaiter().GetResult());

        var row = runner.Registry.Find(spec.RunId)!;
        Assert.Equal((RunState.Failed, 1), (row.State, row.Attempt));
        Assert.NotNull(row.StartedAt);
        Assert.NotNull(row.Error);
        Assert.Equal(row.Status, runner.Store.ReadStatus(spec.RunId));
    }
}
