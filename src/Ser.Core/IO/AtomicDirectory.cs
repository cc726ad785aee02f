namespace Ser.Core.IO;

/// <summary>Creates a folder that appears complete or not at all: the content is written into a sibling
/// temp folder (files fsynced) that is then renamed into place; an existing folder is swapped out first.</summary>
public static class AtomicDirectory
{
    public static void Write(string directory, Action<string> writeInto)
    {
        ArgumentNullException.ThrowIfNull(writeInto);
        var (target, temp) = Begin(directory);
        try
        {
            writeInto(temp);
            Publish(target, temp);
        }
        catch
        {
            Discard(temp);
            throw;
        }
    }

    /// <summary>As <see cref="Write"/>, for content written asynchronously (e.g. downloads). Nothing is published
    /// when <paramref name="cancellationToken"/> is cancelled before the rename.</summary>
    public static async Task WriteAsync(string directory, Func<string, CancellationToken, Task> writeInto, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writeInto);
        var (target, temp) = Begin(directory);
        try
        {
            await writeInto(temp, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            Publish(target, temp);
        }
        catch
        {
            Discard(temp);
            throw;
        }
    }

    /// <summary>Deletes the temp folders a killed writer of <paramref name="directory"/> left behind, when nothing in
    /// them changed for <paramref name="idleFor"/> (a live writer in another process keeps writing into its own).</summary>
    /// <returns>How many were removed.</returns>
    public static int RemoveLeftovers(string directory, TimeSpan idleFor)
    {
        var target = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
        var parent = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(parent)) return 0;
        var removed = 0;
        foreach (var temp in Directory.EnumerateDirectories(parent, $".{Path.GetFileName(target)}.*.tmp"))
        {
            var touched = Directory.EnumerateFiles(temp, "*", SearchOption.AllDirectories).Select(File.GetLastWriteTimeUtc)
                .Append(Directory.GetLastWriteTimeUtc(temp)).Max();
            if (DateTime.UtcNow - touched < idleFor) continue;
            Discard(temp);
            removed++;
        }
        return removed;
    }

    private static (string Target, string Temp) Begin(string directory)
    {
        var target = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
        var parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        var temp = Path.Combine(parent, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(temp);
        return (target, temp);
    }

    private static void Publish(string target, string temp)
    {
        foreach (var file in Directory.EnumerateFiles(temp, "*", SearchOption.AllDirectories))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
            stream.Flush(flushToDisk: true);
        }
        var parent = Path.GetDirectoryName(target)!;
        if (Directory.Exists(target))
        {
            var old = Path.Combine(parent, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.old");
            Directory.Move(target, old);
            Directory.Move(temp, target);
            Directory.Delete(old, recursive: true);
        }
        else
        {
            Directory.Move(temp, target);
        }
    }

    private static void Discard(string temp)
    {
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
    }
}
