using Ser.Core.Runtime;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Runtime;

/// <summary>ChannelsLast.Copy: the same values, NHWC in memory, with one channel as with several.</summary>
public sealed class ChannelsLastTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_copy_holds_the_same_values_with_channels_innermost_in_memory(int channels)
    {
        using var scope = NewDisposeScope();
        var images = randn(2, channels, 5, 7);

        var copy = ChannelsLast.Copy(images);

        Assert.Equal(images.shape, copy.shape);
        Assert.True(copy.equal(images).all().item<bool>());
        Assert.Equal([5L * 7 * channels, 1, 7L * channels, channels], copy.stride());
        // Memory order: every channel of a pixel, then the next pixel.
        Assert.True(copy.as_strided([2 * 5 * 7 * channels], [1]).equal(images.permute(0, 2, 3, 1).flatten()).all().item<bool>());
    }

    [Fact]
    public void Anything_but_an_image_batch_is_refused()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => ChannelsLast.Copy(randn(3, 4, 5)));
    }
}
