using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Core.Runtime;

/// <summary>Managed samples written straight into libtorch's memory, without an intermediate managed array: a float
/// array of a 2.5 s clip (160 KB) lands on the GC's large-object heap, and the service's copies of every window there
/// made background collections take ~9 % of its CPU under load.</summary>
public static class HostTensors
{
    /// <summary>The memory of <paramref name="tensor"/>, a contiguous float32 CPU tensor (or such a view), as a span.</summary>
    /// <exception cref="ArgumentException">Another dtype or device, not contiguous, or over 2 GiB (a span's limit).</exception>
    public static Span<float> AsSpan(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return Refusal(tensor) is { } why
            ? throw new ArgumentException(why, nameof(tensor))
            : MemoryMarshal.Cast<byte, float>(tensor.bytes);
    }

    /// <summary>Whether <see cref="AsSpan"/> takes this tensor: contiguous float32 on the CPU, within a span's 2 GiB.</summary>
    public static bool FitsSpan(Tensor? tensor) => tensor is not null && Refusal(tensor) is null;

    private static string? Refusal(Tensor tensor) =>
        tensor.dtype != ScalarType.Float32 || tensor.device_type != DeviceType.CPU || !tensor.is_contiguous()
            ? $"Expected a contiguous float32 CPU tensor, got {tensor.dtype} on {tensor.device}."
            : tensor.numel() > int.MaxValue / sizeof(float)
                ? $"{tensor.numel()} samples are more than one buffer holds ({int.MaxValue / sizeof(float)})."
                : null;

    /// <summary>A 1-D float32 CPU tensor of <paramref name="length"/> elements: <paramref name="samples"/>, then zeros.</summary>
    public static Tensor FromSamples(ReadOnlySpan<float> samples, long length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, samples.Length);
        var result = length > samples.Length ? zeros(length) : empty(length);
        try
        {
            samples.CopyTo(AsSpan(result));
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }
}
