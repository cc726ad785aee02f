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
}
