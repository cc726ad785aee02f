namespace Ser.Tests;

/// <summary>One training-heavy test at a time on the whole machine, across the test assemblies `dotnet test` runs in
/// parallel: two trainings on 2 cores make libtorch's OpenMP threads wait on each other at every operation (tens of
/// times slower, not twice). An exclusive lock on a file in the temp folder, released on dispose or process exit.</summary>
internal sealed class TrainingSlot : IDisposable
{
    private readonly FileStream _lock;

    private TrainingSlot(FileStream @lock) => _lock = @lock;

    public static async Task<TrainingSlot> AcquireAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), "ser-tests-training.lock");
        while (true)
        {
            try
            {
                return new TrainingSlot(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException)
            {
                await Task.Delay(250, cancellationToken);
            }
        }
    }

    public void Dispose() => _lock.Dispose();
}
