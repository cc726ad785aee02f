using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ser.Core.Runtime;

/// <summary>Linear layers (y = x·Wᵀ + b) on Ser's product block (AVX-512 or AVX2), for float32 inference on the CPU: the weight
/// stored transposed (<see cref="StoreTransposed"/>: [in, out] in memory, so 64 outputs' weights for one input are 64
/// adjacent floats), the loop on libtorch's OpenMP threads (<see cref="OpenMpTeam"/>), bias and an optional GELU
/// applied as each block of outputs is finished. Each output is summed by one
/// thread in input order, so outputs are the same bits on any thread count. Where it is not faster than libtorch's
/// product on this CPU (<see cref="MeasuredChoice"/>, once per shape and process) libtorch's runs instead.</summary>
public static unsafe class LinearKernel
{
    // Inputs per pass over a block of rows: 256 × 64 weights (64 KiB) stay in L2 while every row block uses them.
    private const int Depth = 256;

    // Rows of the one-time measurement against libtorch's product: enough for a few milliseconds a turn, so the VM's
    // jitter does not decide (149 rows, a 3 s clip's, take ~0.5 ms in a 768 × 768 layer).
    private const long MeasuredRows = 1024;

    // Row blocks per work item: their inputs stay in L2 while the item's outputs are summed.
    private const int BlocksPerGroup = 32;

    /// <summary>Whether the kernel can compute <paramref name="layer"/> on <paramref name="input"/>: no autograd, float32
    /// on the CPU, the weight stored transposed, a multiple of 64 outputs, and a CPU with AVX-512 or AVX2.</summary>
    public static bool Supports(Linear layer, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(input);
        var weight = layer.weight!;
        return RegisterBlock.IsSupported && !is_grad_enabled() && IsTransposed(weight)
            && weight.dtype == ScalarType.Float32 && weight.device_type == DeviceType.CPU && input.dtype == ScalarType.Float32
            && input.device_type == DeviceType.CPU && input.dim() >= 1 && input.shape[^1] == weight.shape[1]
            && weight.shape[0] % RegisterBlock.Columns == 0
            && (layer.bias is null || layer.bias.dtype == ScalarType.Float32 && layer.bias.is_contiguous());
    }

    /// <summary>Whether <paramref name="weight"/> ([out, in]) lies in memory as its contiguous transpose.</summary>
    public static bool IsTransposed(Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        return weight.dim() == 2 && weight.stride(0) == 1 && weight.stride(1) == weight.shape[0];
    }

    /// <summary>Stores <paramref name="layer"/>'s weight transposed: same [out, in] shape and values, [in, out] in memory
    /// (checkpoints still load into it in place; libtorch's product reads it as well). For models that only infer: an
    /// optimizer's state and TorchSharp's save need contiguous parameters.</summary>
    public static void StoreTransposed(Linear layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var weight = layer.weight!;
        if (IsTransposed(weight)) return;
        using var noGrad = no_grad();
        using var columns = weight.t().contiguous();
        layer.weight = new TorchSharp.Modules.Parameter(columns.t(), weight.requires_grad);
    }

    /// <summary><paramref name="layer"/> on <paramref name="input"/> ([..., in] → [..., out]): on the kernel where it
    /// <see cref="Supports"/> the call and was measured faster, else the layer's own forward.</summary>
    public static Tensor Forward(Linear layer, Tensor input) => Forward(layer, input, gelu: false);

    /// <summary>GELU (exact, erf) of <see cref="Forward(Linear, Tensor)"/>, applied as the kernel stores its outputs;
    /// in place after the layer's own forward where no autograd graph needs the layer's output.</summary>
    public static Tensor ForwardGelu(Linear layer, Tensor input) => Forward(layer, input, gelu: true);

    private static Tensor Forward(Linear layer, Tensor input, bool gelu)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(input);
        if (!Supports(layer, input) || input.numel() == 0) return Own(layer, input, gelu);
        var weight = layer.weight!;
        var key = $"linear kernel {weight.shape[1]}x{weight.shape[0]}{(gelu ? " gelu" : "")} float32";
        var chosen = MeasuredChoice.PrefersSecond(key, () => Sample(input), x => Own(layer, x, gelu),
            x => Multiply(x, weight, layer.bias, gelu));
        return chosen ? Multiply(input, weight, layer.bias, gelu) : Own(layer, input, gelu);
    }

    /// <summary><see cref="Forward(Linear, Tensor)"/> (or <see cref="ForwardGelu"/>) on the kernel whichever form was
    /// measured faster (tests, benchmarks).</summary>
    /// <exception cref="InvalidOperationException">The kernel does not <see cref="Supports"/> the call.</exception>
    public static Tensor ForwardOnKernel(Linear layer, Tensor input, bool gelu = false)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(input);
        if (!Supports(layer, input))
            throw new InvalidOperationException("Ser's linear kernel runs float32 inference on CPUs with AVX-512 or AVX2 (no autograd) of layers whose weight is stored transposed (StoreTransposed) with a multiple of 64 outputs.");
        return input.numel() == 0 ? Own(layer, input, gelu) : Multiply(input, layer.weight!, layer.bias, gelu);
    }

    // The input's first row, repeated to MeasuredRows rows.
    private static Tensor Sample(Tensor input)
    {
        using var rows = input.reshape(-1, input.shape[^1]);
        return MeasuredChoice.FirstItemRepeated(rows, 0, MeasuredRows);
    }

    private static Tensor Own(Linear layer, Tensor input, bool gelu) => gelu ? VectorGelu.OnTensor(layer.forward(input)) : layer.forward(input);

    private static Tensor Multiply(Tensor input, Tensor weight, Tensor? bias, bool gelu)
    {
        var (outputs, inputs) = (weight.shape[0], weight.shape[1]);
        using var rows = input.reshape(-1, inputs).contiguous();
        using var columns = weight.t();
        var result = empty([rows.shape[0], outputs], ScalarType.Float32);
        fixed (float* x = HostTensors.AsSpan(rows), w = HostTensors.AsSpan(columns), y = HostTensors.AsSpan(result),
            b = bias is null ? default : HostTensors.AsSpan(bias))
        {
            var product = new Product(x, w, b, y, (int)rows.shape[0], (int)inputs, (int)outputs, gelu);
            OpenMpTeam.Run(product.Run);
        }
        var shape = input.shape.ToArray();
        shape[^1] = outputs;
        using (result) return result.view(shape);
    }

    // Work items are (row group, 64 outputs), row group major, so a thread's items mostly share their inputs.
    private sealed class Product(float* x, float* w, float* b, float* y, int rows, int inputs, int outputs, bool gelu)
    {
        public void Run(int thread, int threads)
        {
            var blocks = (rows + RegisterBlock.Rows - 1) / RegisterBlock.Rows;
            var panels = outputs / RegisterBlock.Columns;
            // Enough groups for every thread to get work, and few enough that each weight is read few times.
            var groups = Math.Min(blocks, Math.Max((blocks + BlocksPerGroup - 1) / BlocksPerGroup, (threads + panels - 1) / panels));
            var items = groups * panels;
            for (var item = items * thread / threads; item < items * (thread + 1) / threads; item++)
            {
                var (group, panel) = Math.DivRem(item, panels);
                // In long: blocks × group outgrows int from ~10⁵ row blocks.
                var first = (int)((long)blocks * group / groups) * RegisterBlock.Rows;
                var last = Math.Min(rows, (int)((long)blocks * (group + 1) / groups) * RegisterBlock.Rows);
                Compute(first, last, panel * RegisterBlock.Columns);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Compute(int first, int last, int column)
        {
            for (var start = 0; start < inputs; start += Depth)
            {
                var depth = Math.Min(Depth, inputs - start);
                for (var row = first; row < last; row += RegisterBlock.Rows)
                    RegisterBlock.Multiply(x + ((long)row * inputs) + start, inputs, Math.Min(RegisterBlock.Rows, last - row),
                        w + ((long)start * outputs) + column, outputs, depth, y + ((long)row * outputs) + column, outputs,
                        accumulate: start > 0);
            }
            RegisterBlock.Finish(y + ((long)first * outputs) + column, outputs, last - first, b == null ? null : b + column, gelu);
        }
    }
}
