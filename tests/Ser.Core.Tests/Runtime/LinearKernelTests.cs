using Ser.Core.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Runtime;

/// <summary>Linear layers on Ser's kernel (LinearKernel, AVX-512 or AVX2): the same function as libtorch's, with float32's
/// error, at any shape and thread count. Kernel tests are skipped on CPUs with neither.</summary>
public sealed class LinearKernelTests
{
    private static void RequireKernel()
    {
        KernelSupport.RequireProductBlock("linear layers run on libtorch");
    }

    private static Linear Layer(int inputs, int outputs, bool bias, int seed)
    {
        manual_seed(seed);
        var layer = nn.Linear(inputs, outputs, hasBias: bias);
        LinearKernel.StoreTransposed(layer);
        return layer;
    }

    // max |actual − exact| / max |exact|
    private static double Error(Tensor actual, Tensor exact) =>
        (actual.to(ScalarType.Float64) - exact).abs().max().item<double>() / exact.abs().max().item<double>();

    [Theory]
    [InlineData(320, 128, true)] // two passes over the inputs, the second partial
    [InlineData(640, 64, false)] // three passes; no bias
    [InlineData(96, 192, true)] // one partial pass
    public void The_kernel_keeps_float32s_error_at_any_row_count_with_and_without_gelu(int inputs, int outputs, bool bias)
    {
        RequireKernel();
        using var layer = Layer(inputs, outputs, bias, seed: inputs + outputs);
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var weight = layer.weight!.to(ScalarType.Float64);
        var shift = bias ? layer.bias!.to(ScalarType.Float64) : zeros(outputs, ScalarType.Float64);
        var generator = new Generator(3);
        // Partial blocks of 6 rows, row groups split between threads, and a 3-D input.
        foreach (var shape in new long[][] { [1, inputs], [5, inputs], [7, inputs], [149, inputs], [400, inputs], [2, 7, inputs] })
        {
            var x = randn(shape, generator: generator);
            var exact = matmul(x.to(ScalarType.Float64), weight.t()).add(shift, Scalars.One);
            foreach (var gelu in new[] { false, true })
            {
                var expected = gelu ? nn.functional.gelu(exact) : exact;
                var ours = LinearKernel.ForwardOnKernel(layer, x, gelu);
                var torchs = gelu ? nn.functional.gelu(layer.forward(x)) : layer.forward(x);

                Assert.Equal(torchs.shape, ours.shape);
                var (serError, torchError) = (Error(ours, expected), Error(torchs, expected));
                Assert.True(serError <= (4 * torchError) + 2e-7, $"[{string.Join(", ", shape)}] gelu {gelu}: {serError} against libtorch's {torchError}");
            }
        }
    }

    [Fact]
    public void Row_groups_past_two_billion_row_block_products_land_where_they_belong()
    {
        RequireKernel();
        using var layer = Layer(8, 64, bias: true, seed: 6);
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        // 266,667 blocks of 6 rows in 8,334 groups: the split's blocks × group passes int.MaxValue.
        var x = randn(1_600_000, 8, generator: new Generator(9));

        var ours = LinearKernel.ForwardOnKernel(layer, x);
        var torchs = layer.forward(x);

        var error = (ours - torchs).abs().max().item<float>() / torchs.abs().max().item<float>();
        Assert.True(error < 1e-5, $"relative error {error:E2}");
    }

    [Fact]
    public void Outputs_are_the_same_bits_on_any_thread_count()
    {
        RequireKernel();
        using var layer = Layer(512, 128, bias: true, seed: 4);
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var x = randn(149, 512, generator: new Generator(8));
        Tensor OnThreads(int threads)
        {
            using var use = IntraOpThreads.Use(threads);
            return LinearKernel.ForwardOnKernel(layer, x, gelu: true);
        }

        // 2 groups of 64 outputs: 3 threads also split the rows.
        Assert.True(OnThreads(1).equal(OnThreads(3)).all().item<bool>(), "the thread count changed the output bits");
    }

    [Fact]
    public void A_weight_stored_transposed_keeps_its_values_and_loads_checkpoints_in_place()
    {
        manual_seed(2);
        using var layer = nn.Linear(48, 64);
        using var scope = NewDisposeScope();
        var before = layer.weight!.clone();
        var x = randn(3, 48);
        using var noGrad = no_grad();
        var expected = layer.forward(x);

        LinearKernel.StoreTransposed(layer);

        Assert.True(LinearKernel.IsTransposed(layer.weight!));
        Assert.Equal(new long[] { 64, 48 }, layer.weight!.shape);
        Assert.True(layer.weight!.equal(before).all().item<bool>());
        Assert.True(layer.forward(x).allclose(expected, rtol: 1e-5, atol: 1e-6));
        var loaded = randn(64, 48);
        layer.load_state_dict(new Dictionary<string, Tensor> { ["weight"] = loaded, ["bias"] = zeros(64) });
        Assert.True(LinearKernel.IsTransposed(layer.weight!));
        Assert.True(layer.weight!.equal(loaded).all().item<bool>());
    }

    [Fact]
    public void Calls_it_cannot_compute_are_refused_when_forced_and_run_on_libtorch_otherwise()
    {
        using var scope = NewDisposeScope();
        using var transposed = Layer(32, 64, bias: true, seed: 1);
        using var plain = nn.Linear(32, 64);
        using var narrow = Layer(32, 48, bias: true, seed: 2);
        var x = randn(5, 32);

        var cases = new (string What, Linear Layer, Tensor Input, bool Grad)[]
        {
            ("autograd on", transposed, x, true),
            ("weight not transposed", plain, x, false),
            ("48 outputs", narrow, x, false),
            ("float64 input", transposed, x.to(ScalarType.Float64), false),
        };
        foreach (var (what, layer, input, grad) in cases)
        {
            using var mode = grad ? enable_grad() : no_grad();
            Assert.False(LinearKernel.Supports(layer, input), what);
            Assert.Throws<InvalidOperationException>(() => LinearKernel.ForwardOnKernel(layer, input));
            if (input.dtype == ScalarType.Float32)
                Assert.True(LinearKernel.Forward(layer, input).equal(layer.forward(input)).all().item<bool>(), what);
        }
    }
}
