using Ser.Core.Runtime;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Runtime;

public sealed class TorchScriptArchiveTests
{
    private const string Code = """
        class Probe(Module):
          __parameters__ = []
          __buffers__ = []
          training : bool
          def forward(self: __torch__.Probe,
            x: Tensor,
            w: Tensor) -> Tensor:
            none = annotate(List[Optional[number]], [])
            packed = torch.mkldnn_reorder_conv2d_weight(torch.to_mkldnn(w), [1, 1], [1, 1], [1, 1], 1, torch.size(x))
            return ops.mkldnn._convolution_pointwise(x, packed, None, [1, 1], [1, 1], [1, 1], 1, "relu", none, None)
        """;

    [Fact]
    public void Saved_module_code_reaches_operators_outside_aten_and_computes_what_plain_ops_do()
    {
        using var module = TorchScriptArchive.Load("Probe", Code);
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var generator = new TorchSharp.torch.Generator(4);
        var x = randn(2, 8, 20, 30, generator: generator);
        var w = randn(16, 8, 3, 3, generator: generator);

        var actual = (Tensor)module.invoke("forward", x, w);

        var expected = nn.functional.conv2d(x, w, padding: [1, 1]).relu();
        var error = (actual - expected).abs().max().item<float>() / expected.abs().max().item<float>();
        Assert.True(error < 1e-5, $"relative error {error}");
    }

    [Fact]
    public void An_error_while_a_method_runs_is_an_exception_and_the_process_goes_on()
    {
        using var module = TorchScriptArchive.Load("Probe", Code);
        using var scope = NewDisposeScope();
        using var x = randn(2, 8, 20, 30);
        using var wrongChannels = randn(16, 3, 3, 3);

        Assert.ThrowsAny<System.Runtime.InteropServices.ExternalException>(() => module.invoke("forward", x, wrongChannels));
    }

    [Theory]
    [InlineData("2Probe")]
    [InlineData("Probe.X")]
    [InlineData("Other")]
    public void A_class_name_that_is_not_an_identifier_or_not_defined_is_refused_before_libtorch_parses_anything(string className)
    {
        Assert.Throws<ArgumentException>(() => TorchScriptArchive.Load(className, Code));
    }
}
