using System.ComponentModel.DataAnnotations;

namespace Ser.Core.Audio;

/// <summary>Limits applied while decoding uploads (configuration section <c>Ser:Audio</c>).</summary>
public sealed class AudioOptions
{
    public const string Section = "Ser:Audio";

    /// <summary>The sample rate both models take.</summary>
    public const int ModelSampleRate = 16_000;

    /// <summary>Largest accepted input in bytes (default 50 MiB).</summary>
    [Range(44, long.MaxValue)]
    public long MaxBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>Longest accepted input in seconds (default 600).</summary>
    [Range(0.001, 86_400)]
    public double MaxSeconds { get; set; } = 600;

    /// <summary>Memory all uploads in flight may hold together, as bytes received plus decoded samples (default 512 MiB);
    /// a request that would pass it waits up to <see cref="BudgetWaitSeconds"/>, then gets 503 + Retry-After.</summary>
    [Range(16, 1_048_576)]
    public int MemoryBudgetMiB { get; set; } = 512;

    /// <summary>How long a request waits for room in the memory budget.</summary>
    [Range(0, 300)]
    public double BudgetWaitSeconds { get; set; } = 10;

    /// <summary>Uploads decoded at the same time, process-wide (default: the number of cores, at least 2).</summary>
    [Range(1, 1024)]
    public int MaxConcurrentDecodes { get; set; } = Math.Max(2, Environment.ProcessorCount);
}
