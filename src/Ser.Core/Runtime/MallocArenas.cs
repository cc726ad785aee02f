namespace Ser.Core.Runtime;

/// <summary>How many heaps ("arenas") glibc may give this process's threads. By default each thread gets its own, made of
/// 64 MiB pieces: there glibc maps any larger block afresh and unmaps it when freed, whatever <c>mallopt</c> says, and
/// libtorch allocates each tensor on the thread that computes it. A service runs its models on worker threads, so every
/// forward pass and training step paid the page faults of its large tensors again (AMD EPYC Zen 5, 2 cores:
/// wav2vec2-base on 8 × 3 s clips 2.7 s a forward on a worker thread against 1.3 s on one heap; resnet18 training 14
/// against 28 clips/s). One heap has its own cost where two models run passes at once: glibc's heap lock, which
/// oneDNN's small aligned allocations take on every operator, is then contended (a futex call each time). So a process
/// that trains wants one heap, and a process that only serves wants two. glibc fixes the number when the process
/// starts, so only its environment can set it.</summary>
public static class MallocArenas
{
    /// <summary>The variable glibc reads at start-up; <c>1</c> makes every thread use the main heap.</summary>
    public const string Variable = "MALLOC_ARENA_MAX";

    /// <summary>Heaps for a process that only serves (<c>Ser:Role=api</c>): its two models' passes, which run at the same
    /// time, mostly take different heap locks.</summary>
    public const int ServingOnly = 2;

    private const string ArenaMaxTunable = "glibc.malloc.arena_max";

    /// <summary>Null where this process's heaps suit what it does (or glibc is not its C library), else a line that says
    /// what to set. A process that trains wants one heap; one that only serves, one or <see cref="ServingOnly"/>.</summary>
    public static string? Advice(bool trains = true) =>
        OperatingSystem.IsLinux() && IsGlibc() ? Advice(Environment.GetEnvironmentVariable, trains) : null;

    /// <summary>The advice for an environment (<paramref name="variable"/> reads one variable), on glibc.</summary>
    public static string? Advice(Func<string, string?> variable, bool trains)
    {
        var limit = Limit(variable);
        if (limit == 1 || (!trains && limit == ServingOnly)) return null;
        return trains ? TrainingAdvice : ServingAdvice;
    }

    /// <summary>The arena limit an environment sets: <c>MALLOC_ARENA_MAX</c>, or <c>glibc.malloc.arena_max</c> in
    /// <c>GLIBC_TUNABLES</c>, which wins where both are set; null where neither sets a positive number (glibc's default,
    /// 8 per core).</summary>
    public static int? Limit(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        var value = (GlibcTunables.Value(variable, ArenaMaxTunable) ?? variable(Variable))?.Trim();
        return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0
            ? n : null;
    }

    private const string PerThread = "glibc gives each thread its own heap here, where it maps tensors over 64 MiB afresh on every use: " +
        "models on worker threads (every request, every training job) pay their page faults each pass, up to 2x slower. ";

    private const string TrainingAdvice = PerThread +
        "Start a process that trains with MALLOC_ARENA_MAX=1 (the Docker images and launch profiles do)";

    private const string ServingAdvice = PerThread +
        "Start a process that only serves (Ser:Role=api) with MALLOC_ARENA_MAX=2 (docker-compose.yml's api does) or 1";

    private static bool IsGlibc() => System.Runtime.InteropServices.NativeLibrary.TryLoad("libc.so.6", out var libc)
        && System.Runtime.InteropServices.NativeLibrary.TryGetExport(libc, "gnu_get_libc_version", out _);
}
