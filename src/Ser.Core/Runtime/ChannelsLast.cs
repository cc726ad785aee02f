using static TorchSharp.torch;

namespace Ser.Core.Runtime;

/// <summary>Image batches laid out channels-last (NHWC in memory, the same [batch, channels, height, width] tensor to
/// libtorch), which TorchSharp has no memory format for. libtorch runs a convolution channels-last when its input is,
/// and every layer after it follows.</summary>
public static class ChannelsLast
{
    /// <summary>A copy of <paramref name="images"/> [batch, channels, height, width] laid out channels-last.</summary>
    /// <exception cref="ArgumentException">Not a 4-dimensional tensor.</exception>
    public static Tensor Copy(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4) throw new ArgumentException($"Expected [batch, channels, height, width], got [{string.Join(", ", images.shape)}].", nameof(images));
        long channels = images.shape[1], height = images.shape[2], width = images.shape[3];
        // Strides set outright: with one channel a permuted copy keeps its channel stride, and libtorch would still read
        // the tensor as contiguous.
        using var pixels = images.permute(0, 2, 3, 1).contiguous();
        return pixels.as_strided(images.shape, [height * width * channels, 1, width * channels, channels]);
    }
}
