using Ser.Core.IO;

namespace Ser.Core.Tests.IO;

public sealed class AtomicDirectoryTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-atomicdir-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task An_async_write_publishes_the_folder_and_leaves_no_temp_folder()
    {
        var target = Path.Combine(_temp, "out");

        await AtomicDirectory.WriteAsync(target, (temp, ct) => File.WriteAllTextAsync(Path.Combine(temp, "a.txt"), "a", ct),
            TestContext.Current.CancellationToken);

        Assert.Equal("a", File.ReadAllText(Path.Combine(target, "a.txt")));
        Assert.Equal(["out"], Directory.GetFileSystemEntries(_temp).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_failed_async_write_leaves_an_existing_folder_as_it_was_and_no_temp_folder()
    {
        var target = Directory.CreateDirectory(Path.Combine(_temp, "out")).FullName;
        File.WriteAllText(Path.Combine(target, "old.txt"), "old");

        await Assert.ThrowsAsync<IOException>(() => AtomicDirectory.WriteAsync(target, async (temp, ct) =>
        {
            await File.WriteAllTextAsync(Path.Combine(temp, "half.txt"), "half", ct);
            throw new IOException("connection lost");
        }, TestContext.Current.CancellationToken));

        Assert.Equal(["old.txt"], Directory.GetFiles(target).Select(Path.GetFileName));
        Assert.Equal(["out"], Directory.GetFileSystemEntries(_temp).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_cancelled_async_write_publishes_nothing()
    {
        var target = Path.Combine(_temp, "out");
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => AtomicDirectory.WriteAsync(target, async (temp, ct) =>
        {
            await File.WriteAllTextAsync(Path.Combine(temp, "a.txt"), "a", ct);
            await cancel.CancelAsync();
        }, cancel.Token));

        Assert.Empty(Directory.GetFileSystemEntries(_temp));
    }

    [Fact]
    public void Leftovers_of_a_killed_writer_are_removed_once_idle_and_a_live_writers_folder_and_other_names_are_kept()
    {
        var target = Path.Combine(_temp, "model");
        var stale = Directory.CreateDirectory(Path.Combine(_temp, ".model.0123.tmp")).FullName;
        File.WriteAllText(Path.Combine(stale, "model.safetensors"), "half");
        var old = DateTime.UtcNow.AddHours(-2);
        File.SetLastWriteTimeUtc(Path.Combine(stale, "model.safetensors"), old);
        Directory.SetLastWriteTimeUtc(stale, old);
        var live = Directory.CreateDirectory(Path.Combine(_temp, ".model.4567.tmp")).FullName;
        File.WriteAllText(Path.Combine(live, "model.safetensors"), "growing");
        var other = Directory.CreateDirectory(Path.Combine(_temp, ".other.89ab.tmp")).FullName;
        Directory.SetLastWriteTimeUtc(other, old);

        Assert.Equal(1, AtomicDirectory.RemoveLeftovers(target, TimeSpan.FromMinutes(10)));

        Assert.False(Directory.Exists(stale));
        Assert.True(Directory.Exists(live));
        Assert.True(Directory.Exists(other));
    }
}
