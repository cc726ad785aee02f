using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Torch;

public class TorchSharpLoadTests
{
    [Fact]
    public void A_matrix_product_runs_in_libtorch()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3, 4 }, new long[] { 2, 2 });
        var b = tensor(new float[] { 5, 6, 7, 8 }, new long[] { 2, 2 });
        var c = a.matmul(b);
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c.data<float>().ToArray());
    }
}
