using System.Diagnostics;
using Ser.Core.Data.Splits;
using Ser.Training.Loops;
using Ser.Training.Recipes;
using Ser.Training.Runs;

namespace Ser.Training.Tests.Runs;

public sealed class RunRegistryTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-registry-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static RunSpec Spec(string id, string architecture, SplitStrategy strategy = SplitStrategy.Actor) =>
        new(id, "train", architecture, architecture + "-tiny", "synthetic", "synthetic", "/data", new SplitSpec(strategy, 7),
            ResNetRecipe.Defaults(new HyperParameters(), Ser.Core.Models.ModelPresets.ResNet18Tiny), null, null, "cpu",
            DateTimeOffset.Parse("2026-11-25T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture).AddMinutes(id.Length));

    [Fact]
    public void Runs_are_listed_newest_first_filtered_and_only_complete_after_complete()
    {
        var registry = new RunRegistry(Path.Combine(_temp, "registry.db"));
        registry.Add(Spec("r-a", "wav2vec2"));
        registry.Add(Spec("r-bb", "resnet18", SplitStrategy.Random));
        registry.SetState("r-a", new RunStatus(RunState.Running), splitHash: "abc");

        Assert.Equal(["r-bb", "r-a"], registry.List().Select(r => r.RunId));
        Assert.Empty(registry.List(state: RunState.Succeeded));
        Assert.False(registry.Find("r-bb")!.SpeakerIndependent);

        registry.Complete("r-a", 0.6, 0.55, 0.5, 12, new RunStatus(RunState.Succeeded, FinishedAt: DateTimeOffset.UtcNow));
        var done = registry.Find("r-a")!;

        Assert.Equal(RunState.Succeeded, done.State);
        Assert.Equal((0.6, 0.55, 0.5), (done.Wa!.Value, done.Ua!.Value, done.MacroF1!.Value));
        Assert.Equal("abc", done.SplitHash);
        Assert.NotNull(done.FinishedAt);
        Assert.Equal(["r-a"], registry.List(architecture: "wav2vec2").Select(r => r.RunId));
        Assert.Null(registry.Find("nope"));
    }

    [Fact]
    public void A_run_lease_keeps_a_second_live_copy_out_until_it_is_stale_released_or_its_owner_is_dead()
    {
        var registry = new RunRegistry(Path.Combine(_temp, "registry.db"));

        Assert.True(registry.TryLease("r-1", "host:1:1", TimeSpan.FromMinutes(2)));
        Assert.True(registry.TryLease("r-1", "host:1:1", TimeSpan.FromMinutes(2)));
        Assert.False(registry.TryLease("r-1", "host:2:2", TimeSpan.FromMinutes(2)));
        Assert.True(registry.TryLease("r-1", "host:2:2", TimeSpan.FromSeconds(-1))); // stale
        Assert.True(registry.TryLease("r-1", "host:3:3", TimeSpan.FromMinutes(2), owner => owner == "host:2:2"));
        registry.ReleaseLease("r-1", "host:3:3");
        Assert.Null(registry.Lease("r-1"));

        using (var lease = RunLease.Acquire(registry, "r-2"))
        {
            Assert.Equal(lease.Owner, registry.Lease("r-2")!.Value.Owner);
            Assert.StartsWith(RunLease.ThisProcess, lease.Owner, StringComparison.Ordinal);
            Assert.False(registry.TryLease("r-2", "other:1:1", RunLease.StaleAfter));
            Assert.Throws<RunLeasedException>(() => RunLease.Acquire(registry, "r-2")); // a second copy in this very process
        }
        Assert.Null(registry.Lease("r-2"));
        Assert.True(RunLease.IsDeadLocalOwner($"{Environment.MachineName}:{int.MaxValue - 1}:0"));
        Assert.False(RunLease.IsDeadLocalOwner(RunLease.ThisProcess + ":some-id"));
        Assert.False(RunLease.IsDeadLocalOwner("another-machine:1:0"));
    }

    [Fact]
    public async Task A_live_owner_in_another_process_is_never_taken_for_dead_and_a_finished_one_is()
    {
        using var child = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        var owner = $"{Environment.MachineName}:{child.Id}:{RunLease.StartStamp(child.Id)}:lease-id";
        // What another reader (here awk) sees is what this process computed: the stamp does not depend on the reader's clock.
        using (var awk = Process.Start(new ProcessStartInfo("awk", ["{print $22}", $"/proc/{child.Id}/stat"]) { RedirectStandardOutput = true })!)
            Assert.Equal((await awk.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken)).Trim(), RunLease.StartStamp(child.Id));
        Assert.False(RunLease.IsDeadLocalOwner(owner));

        child.Kill();
        await child.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(RunLease.IsDeadLocalOwner(owner));
    }

    [Fact]
    public void The_store_refuses_run_ids_that_are_paths()
    {
        var store = new RunStore(_temp);

        Assert.Throws<ArgumentException>(() => store.Directory("../etc"));
        Assert.Throws<ArgumentException>(() => store.Directory("a/b"));
        Assert.False(store.Exists("r-unknown"));
    }
}
