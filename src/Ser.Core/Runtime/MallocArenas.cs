namespace Ser.Core.Runtime;

/// <summary>Whether glibc serves every thread from its one main heap. By default each thread gets its own heap ("arena"),
/// made of 64 MiB pieces: there glibc maps any larger block afresh and unmaps it when freed, whatever <c>mallopt</c>
/// says, and libtorch allocates each tensor on the thread that computes it. A service runs its models on worker threads,
/// so every forward pass and training step paid the page faults of its large tensors again (AMD EPYC Zen 5, 2 cores:
/// wav2vec2-base on 8 × 3 s clips 2.7 s a forward on a worker thread against 1.3 s on one heap; resnet18 training 14
/// against 28 clips/s). glibc fixes the number of arenas when the process starts, so only its environment can set it.</summary>
public static class MallocArenas
{
    /// <summary>The variable glibc reads at start-up; <c>1</c> makes every thread use the main heap.</summary>
    public const string Variable = "MALLOC_ARENA_MAX";

    private const string ArenaMaxTunable = "glibc.malloc.arena_max";

    /// <summary>Null where this process's threads share glibc's main heap (or glibc is not its C library), else a line
    /// that says what to set.</summary>
    public static string? Advice() =>
        OperatingSystem.IsLinux() && IsGlibc() && !Shared(Environment.GetEnvironmentVariable) ? AdviceText : null;

    /// <summary>Whether an environment (<paramref name="variable"/> reads one variable) limits glibc to one arena:
    /// <c>MALLOC_ARENA_MAX=1</c>, or <c>glibc.malloc.arena_max=1</c> in <c>GLIBC_TUNABLES</c>, which wins where both are set.</summary>
    public static bool Shared(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        return (GlibcTunables.Value(variable, ArenaMaxTunable) ?? variable(Variable))?.Trim() == "1";
    }

    private const string AdviceText = "glibc gives each thread its own heap here, where it maps tensors over 64 MiB afresh on every use: " +
        "models on worker threads (every request, every training job) pay their page faults each pass, up to 2x slower. " +
        "Start the process with MALLOC_ARENA_MAX=1 (the Docker images and launch profiles do)";

    private static bool IsGlibc() => System.Runtime.InteropServices.NativeLibrary.TryLoad("libc.so.6", out var libc)
        && System.Runtime.InteropServices.NativeLibrary.TryGetExport(libc, "gnu_get_libc_version", out _);
}
