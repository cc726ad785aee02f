using Ser.Core.Data.Splits;
using Ser.Core.IO;
using Ser.Training.Loops;
using Ser.Training.Recipes;
using Ser.Training.Runs;

namespace Ser.Training.Tests.Runs;

/// <summary>A new run claims its id in the registry before anything is written, so an id that is taken (a collision,
/// a second create) never overwrites another run's spec.</summary>
public sealed class RunCreationTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-create-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private TrainingRunner Runner() => new(new RunStore(Path.Combine(_temp, "runs")), new RunRegistry(Path.Combine(_temp, "registry.db")));

    private static RunSpec Spec(string id, string name) =>
        new(id, "train", "resnet18", "resnet18-tiny", "synthetic", "synthetic", "/data", new SplitSpec(SplitStrategy.Actor, 7),
            ResNetRecipe.Defaults(new HyperParameters(), Ser.Core.Models.ModelPresets.ResNet18Tiny), null, name, "cpu", DateTimeOffset.UtcNow);

    [Fact]
    public void Creating_a_run_with_a_taken_id_fails_and_leaves_the_first_runs_spec_and_row_as_they_were()
    {
        var runner = Runner();
        var id = TrainingRunner.NewRunId();
        runner.Create(Spec(id, "first"));

        var collision = Assert.Throws<RunExistsException>(() => runner.Create(Spec(id, "second") with { Preset = "resnet18" }));

        Assert.Equal(id, collision.RunId);
        Assert.Equal(("first", "resnet18-tiny"), (runner.Store.ReadSpec(id).Name, runner.Store.ReadSpec(id).Preset));
        Assert.Equal(("first", "resnet18-tiny"), (runner.Registry.Find(id)!.Name, runner.Registry.Find(id)!.Preset));
    }

    [Fact]
    public void A_run_folder_without_a_registry_row_is_not_overwritten_either()
    {
        var runner = Runner();
        var id = TrainingRunner.NewRunId();
        runner.Store.WriteSpec(Spec(id, "copied in"));

        Assert.Throws<RunExistsException>(() => runner.Create(Spec(id, "new")));

        Assert.Equal("copied in", runner.Store.ReadSpec(id).Name);
        Assert.Null(runner.Registry.Find(id));
    }

    [Fact]
    public void Run_ids_keep_their_readable_prefix_and_ten_thousand_made_at_once_are_all_different()
    {
        // 16 random bits (the former ids) give a duplicate among 10,000 ids of one second with near certainty.
        var ids = Enumerable.Range(0, 10_000).Select(_ => TrainingRunner.NewRunId()).ToArray();

        Assert.Equal(ids.Length, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.Matches("^r-[0-9]{8}-[0-9]{6}-[0-9a-f]{16}$", id));
        Assert.All(ids, id => Assert.True(PlainName.IsValid(id)));
    }
}
