namespace Ser.Core.Runtime;

/// <summary>Whether glibc backs its heap with transparent huge pages (2 MiB instead of 4 KiB). Where the kernel gives them
/// only on request (<c>madvise</c>, Debian's and Ubuntu's default), glibc asks for them when the process starts with
/// <c>GLIBC_TUNABLES=glibc.malloc.hugetlb=1</c>. A new 2 MiB page costs one fault instead of 512, and large tensors
/// then need 512 times fewer page-table walks (AMD EPYC Zen 5, 2 cores, one heap: wav2vec2-base's first forward on a
/// 30 s clip, which grows the heap, 2.3 s in its feature encoder with 131,000 faults against 1.1 s). Only the
/// environment can set it, as <see cref="MallocArenas"/>.</summary>
public static class HeapHugePages
{
    /// <summary>The tunable glibc (2.35 on) reads at start-up; <c>1</c> requests transparent huge pages for its heap.</summary>
    public const string Tunable = "glibc.malloc.hugetlb";

    private const string KernelSetting = "/sys/kernel/mm/transparent_hugepage/enabled";

    /// <summary>Whether an environment (<paramref name="variable"/> reads one variable) requests huge pages for glibc's
    /// heap: <c>glibc.malloc.hugetlb</c> 1 (transparent) or 2 (reserved hugetlbfs pages) in <c>GLIBC_TUNABLES</c>, the
    /// last occurrence winning.</summary>
    public static bool Requested(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        return GlibcTunables.Value(variable, Tunable) is "1" or "2";
    }

    /// <summary>The kernel's mode (<c>always</c>, <c>madvise</c> or <c>never</c>) from the bracketed word of its
    /// setting's text; null where there is none.</summary>
    public static string? KernelMode(string? setting)
    {
        if (setting is null) return null;
        var (open, close) = (setting.IndexOf('[', StringComparison.Ordinal), setting.IndexOf(']', StringComparison.Ordinal));
        return open >= 0 && close > open ? setting[(open + 1)..close] : null;
    }

    /// <summary>Null where this process's heap gets huge pages, or cannot (no such kernel setting, or <c>never</c>),
    /// else a line that says what to set.</summary>
    public static string? Advice()
    {
        if (!OperatingSystem.IsLinux() || Requested(Environment.GetEnvironmentVariable)) return null;
        string? setting;
        try
        {
            setting = File.Exists(KernelSetting) ? File.ReadAllText(KernelSetting) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        return KernelMode(setting) == "madvise"
            ? "The kernel gives transparent huge pages on request only and this process does not ask: large tensors take " +
              "512 page faults per 2 MiB the first time and more page-table walks after. Start the process with " +
              "GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (the Docker images and launch profiles do)"
            : null;
    }
}
