using Ser.Core.Runtime;
using static TorchSharp.torch;

namespace Ser.Core.Models.Wav2Vec2;

/// <summary>A grouped stride-1 Conv1d computed by FFT (overlap-save) for weights that do not change: the weights'
/// spectra are computed once, and each block of <c>n − kernel + 1</c> output frames costs an FFT of n frames, a product
/// per frequency and an inverse FFT. For wav2vec2-base's positional convolution (768 channels, kernel 128, 16 groups)
/// that is ~18× fewer operations than the direct sum. Computed in float32 whatever the input's precision; its error
/// is of the same order as the direct float32 sum's (relative ~3e-7 against float64 there).</summary>
internal static class SpectralConv1d
{
    /// <summary>FFT length for a kernel: the power of two from twice its width (so a block yields as many frames as the
    /// kernel is wide, or more).</summary>
    public static long FftSize(long kernel) => (long)System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)(2 * kernel));

    /// <summary>conj(rfft(weight)) as [groups, bins, in/groups, out/groups], complex64, from a [out, in/groups, kernel]
    /// weight: each frequency's matrix for one group's product, transposed. libtorch multiplies the input's few columns
    /// into it as xᵀ·S 2–3× faster than S·x on the [out, in] layout at 1–2 blocks a clip (AMD Zen 5, wav2vec2-base at
    /// 3 s: the product 2.2 against 6.5 ms, the whole convolution 3.3–3.5 against 5.7–7.2), and no slower at 30 s or
    /// batch 8.</summary>
    public static Tensor Spectra(Tensor weight, long groups)
    {
        ArgumentNullException.ThrowIfNull(weight);
        using var scope = NewDisposeScope();
        long outPerGroup = weight.shape[0] / groups, inPerGroup = weight.shape[1], n = FftSize(weight.shape[2]);
        var spectra = fft.rfft(weight.to(ScalarType.Float32), n, -1).conj();
        return spectra.view(groups, outPerGroup, inPerGroup, n / 2 + 1).permute(0, 3, 2, 1).contiguous().MoveToOuterDisposeScope();
    }

    // Blocks transformed at once: bounds the temporaries (spectra of the input and the output, ~0.8 MB a block and
    // clip for 768 channels) at any length; wav2vec2-base's 30 s clip has 12.
    private const long BlocksPerPass = 64;

    /// <summary>[batch, in, time] → [batch, out, time + 2·padding − kernel + 1] in the input's dtype: the same function as
    /// <c>conv1d(input, weight, bias, padding, groups)</c> for the weight <paramref name="spectra"/> came from.</summary>
    public static Tensor Forward(Tensor input, Tensor spectra, Tensor bias, long kernel, long padding)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(spectra);
        ArgumentNullException.ThrowIfNull(bias);
        using var scope = NewDisposeScope();
        long frames = input.shape[2], n = (spectra.shape[1] - 1) * 2, block = n - kernel + 1;
        long outFrames = frames + 2 * padding - kernel + 1, blocks = (outFrames + block - 1) / block, needed = (blocks - 1) * block + n;
        // Block j's output frames [j·block, (j+1)·block) need the padded input's frames [j·block, j·block + n): the
        // circular correlation of those n frames with the kernel is exact for its first `block` frames.
        var padded = nn.functional.pad(input.to(ScalarType.Float32), [padding, needed - frames - padding]);
        var windows = padded.unfold(2, n, block); // [batch, in, blocks, n], a view
        var parts = new List<Tensor>();
        for (long start = 0; start < blocks; start += BlocksPerPass)
            parts.Add(Blocks(windows.narrow(2, start, Math.Min(BlocksPerPass, blocks - start)), spectra, n, block));
        var output = (parts.Count == 1 ? parts[0] : cat(parts, 2)).narrow(2, 0, outFrames);
        return output.add(bias.to(ScalarType.Float32).view(1, -1, 1), Scalars.One).to(input.dtype).MoveToOuterDisposeScope();
    }

    // [batch, in, blocks, n] windows → [batch, out, blocks · block] output frames.
    private static Tensor Blocks(Tensor windows, Tensor spectra, long n, long block)
    {
        long batch = windows.shape[0], blocks = windows.shape[2], groups = spectra.shape[0], bins = spectra.shape[1];
        long inPerGroup = spectra.shape[2], outPerGroup = spectra.shape[3];
        var spectrum = fft.rfft(windows, n, -1); // [batch, in, blocks, bins]
        var columns = spectrum.view(batch, groups, inPerGroup, blocks, bins).permute(1, 4, 2, 0, 3)
            .reshape(groups, bins, inPerGroup, batch * blocks);
        var product = matmul(columns.transpose(2, 3), spectra).view(groups, bins, batch, blocks, outPerGroup)
            .permute(2, 0, 4, 3, 1).reshape(batch, groups * outPerGroup, blocks, bins);
        return fft.irfft(product, n, -1).narrow(-1, 0, block).reshape(batch, groups * outPerGroup, blocks * block);
    }
}
