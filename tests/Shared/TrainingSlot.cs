namespace Ser.Tests;

/// <summary>One training-heavy test at a time on the whole machine, across the test assemblies `dotnet test` runs in
/// parallel: two trainings on 2 cores make libtorch's OpenMP threads wait on each other at every operation (tens of
/// times slower, not twice). An exclusive lock on a file in the temp folder, released on dispose or process exit.</summary>
internal sealed class TrainingSlot : IDisposable
{
    // Longer than every training-heavy test of all suites together takes here; past it, a holder is stuck, and the
    // waiting test fails naming it instead of holding the run until CI's limit (a run once hung so, holder unknown).
    private static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(30);

    private readonly FileStream _lock;

    private TrainingSlot(FileStream @lock) => _lock = @lock;

    public static async Task<TrainingSlot> AcquireAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), "ser-tests-training.lock");
        var deadline = DateTime.UtcNow + MaxWait;
        while (true)
        {
            try
            {
                return new TrainingSlot(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(250, cancellationToken);
            }
            catch (IOException error)
            {
                throw new TimeoutException($"{path} stayed locked for {MaxWait.TotalMinutes} minutes; open in {Holders(path)}.", error);
            }
        }
    }

    public void Dispose() => _lock.Dispose();

    // The processes that have the file open (Linux's /proc), with their command lines.
    private static string Holders(string path)
    {
        var holders = new List<string>();
        foreach (var process in Directory.Exists("/proc") ? Directory.EnumerateDirectories("/proc") : [])
        {
            if (!int.TryParse(Path.GetFileName(process), out var pid)) continue;
            try
            {
                if (Directory.EnumerateFiles(Path.Combine(process, "fd")).Any(fd => new FileInfo(fd).LinkTarget == path))
                    holders.Add($"{pid} ({File.ReadAllText(Path.Combine(process, "cmdline")).Replace('\0', ' ').Trim()})");
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // The process ended, or is not ours to read.
            }
        }
        return holders.Count == 0 ? "no process now" : string.Join("; ", holders);
    }
}
