using Ser.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Core.Models.ResNet;

/// <summary>The ResNet input policy for variable-length clips, shared by training and inference:
/// each log-mel is normalised per utterance (zero mean, unit variance over its own frames); a clip shorter
/// than the window is padded at the end with its own minimum (its silence floor); a longer clip is cut into
/// windows with 50 % overlap, the last one aligned to the clip's end, and the windows' probabilities averaged.
/// Training takes one random window instead.</summary>
public static class SpectrogramWindows
{
    /// <summary>[mels, frames] → zero mean, unit variance.</summary>
    public static Tensor Normalize(Tensor logMel)
    {
        ArgumentNullException.ThrowIfNull(logMel);
        using var scope = NewDisposeScope();
        var std = logMel.std(unbiased: false).clamp_min(Scalars.Of(1e-5));
        return ((logMel - logMel.mean()) / std).MoveToOuterDisposeScope();
    }

    /// <summary>Start frames of the windows covering <paramref name="frames"/> frames.</summary>
    public static IReadOnlyList<long> Starts(long frames, long window)
    {
        if (frames <= window) return [0];
        var hop = Math.Max(1, window / 2);
        var starts = new List<long>();
        for (long s = 0; s + window < frames; s += hop) starts.Add(s);
        starts.Add(frames - window);
        return starts;
    }

    /// <summary>[mels, frames] → [mels, window] from <paramref name="start"/>, padded with the minimum if short.</summary>
    public static Tensor Window(Tensor normalized, long start, long window)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        using var scope = NewDisposeScope();
        var frames = normalized.shape[1];
        var end = Math.Min(frames, start + window);
        var slice = normalized.narrow(1, start, end - start);
        if (end - start < window)
            slice = nn.functional.pad(slice, [0, window - (end - start)], PaddingModes.Constant, normalized.min().item<float>());
        return slice.contiguous().MoveToOuterDisposeScope();
    }
}
