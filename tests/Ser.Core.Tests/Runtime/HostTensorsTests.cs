using Ser.Core.Runtime;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Runtime;

public sealed class HostTensorsTests
{
    [Fact]
    public void Samples_land_in_the_tensor_followed_by_zeros()
    {
        float[] samples = [0.5f, -1.25f, 3f];

        using var exact = HostTensors.FromSamples(samples, 3);
        using var padded = HostTensors.FromSamples(samples.AsSpan(1), 5);

        Assert.Equal(samples, exact.data<float>().ToArray());
        Assert.Equal([-1.25f, 3f, 0f, 0f, 0f], padded.data<float>().ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => HostTensors.FromSamples(samples, 2));
    }

    [Fact]
    public void A_row_view_is_written_in_place_and_other_layouts_are_refused()
    {
        using var scope = NewDisposeScope();
        var batch = zeros(2, 4);

        HostTensors.AsSpan(batch[1])[2] = 7f;

        Assert.Equal([0f, 0f, 0f, 0f, 0f, 0f, 7f, 0f], batch.data<float>().ToArray());
        Assert.Throws<ArgumentException>(() => HostTensors.AsSpan(batch.t()));
        Assert.Throws<ArgumentException>(() => HostTensors.AsSpan(batch.to(ScalarType.BFloat16)));
        Assert.True(HostTensors.FitsSpan(batch[1]));
        Assert.False(HostTensors.FitsSpan(batch.t()));
        Assert.False(HostTensors.FitsSpan(batch.to(ScalarType.BFloat16)));
        Assert.False(HostTensors.FitsSpan(null));
    }
}
