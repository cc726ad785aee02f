namespace Ser.Core.Features;

/// <summary>How many frames a sliding window yields: one conv layer, a conv stack, an STFT. The one place the
/// formula lives (Wav2Vec2's feature encoder and masks, the log-mel front end, the benchmarks' FLOP counts).</summary>
public static class FrameLength
{
    /// <summary>Outputs of a window of <paramref name="kernel"/> moved by <paramref name="stride"/> over
    /// <paramref name="length"/> inputs padded by <paramref name="padding"/> on each side; 0 when it does not fit once.</summary>
    public static long Conv(long length, int kernel, int stride, int padding = 0)
    {
        var span = length + 2L * padding - kernel;
        return span < 0 ? 0 : span / stride + 1;
    }

    /// <summary>Output length of unpadded conv layers applied in turn.</summary>
    public static long ConvStack(long length, IReadOnlyList<int> kernels, IReadOnlyList<int> strides)
    {
        ArgumentNullException.ThrowIfNull(kernels);
        ArgumentNullException.ThrowIfNull(strides);
        for (var i = 0; i < kernels.Count; i++) length = Conv(length, kernels[i], strides[i]);
        return length;
    }

    /// <summary>Fewest inputs for which <see cref="ConvStack"/> yields one output (400 for Wav2Vec2's standard stack).</summary>
    public static int ReceptiveField(IReadOnlyList<int> kernels, IReadOnlyList<int> strides)
    {
        ArgumentNullException.ThrowIfNull(kernels);
        ArgumentNullException.ThrowIfNull(strides);
        var span = 1;
        for (var i = kernels.Count - 1; i >= 0; i--) span = (span - 1) * strides[i] + kernels[i];
        return span;
    }

    /// <summary>STFT frames of <paramref name="samples"/>, as torch.stft counts them: centred input is padded by
    /// n_fft / 2 on each side first.</summary>
    public static long Stft(long samples, int nFft, int hop, bool center) => Conv(samples, nFft, hop, center ? nFft / 2 : 0);
}
