using static TorchSharp.torch;

namespace Ser.Core.Runtime;

/// <summary>Which fp32 matmul precision this process uses, and why. libtorch's "medium" sends fp32 products to oneDNN,
/// about twice as fast on AVX-512 CPUs and exact there; on CPUs with AMX (and some with AVX512-BF16) oneDNN then
/// multiplies in bfloat16, so Float32 would silently stop being float32 (PERFORMANCE.md, trick 1). The check runs a few
/// products and convolutions under both settings against a float64 reference and keeps "medium" only where it is as
/// exact as "highest".</summary>
/// <param name="MatmulPrecision">The setting in force: <c>medium</c> (checked exact here) or <c>highest</c>.</param>
/// <param name="ExactError">Largest relative error of the probes under <c>highest</c>.</param>
/// <param name="FastError">Largest relative error of the probes under <c>medium</c> (null when it could not be set).</param>
public sealed record Float32Math(string MatmulPrecision, double ExactError, double? FastError, string Reason, CpuInfo Cpu)
{
    /// <summary>Largest relative error (max |Δ| / max |reference|) accepted as float32: plain fp32 kernels stay near 1e-6
    /// on the probes, bfloat16 products land near 4e-3.</summary>
    public const double Tolerance = 1e-5;

    /// <summary>Runs the check and applies its choice. Hosts call it once, through <see cref="TorchRuntime.Initialize()"/>,
    /// which keeps the decision for the life of the process.</summary>
    public static Float32Math Apply()
    {
        var decision = Measure();
        TorchRuntime.TrySetFloat32MatmulPrecision(decision.MatmulPrecision);
        return decision;
    }

    /// <summary>Measures both settings (leaving the process on <c>highest</c>) and decides; does not apply.</summary>
    public static Float32Math Measure()
    {
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var probes = Probe.All();
        TorchRuntime.TrySetFloat32MatmulPrecision("highest");
        var exact = probes.Max(p => p.Error());
        double? fast = null;
        if (TorchRuntime.TrySetFloat32MatmulPrecision("medium")) fast = probes.Max(p => p.Error());
        TorchRuntime.TrySetFloat32MatmulPrecision("highest");
        return Decide(exact, fast, CpuInfo.Current);
    }

    /// <summary>The rule: "medium" only when it could be set and its error is within <see cref="Tolerance"/>.</summary>
    public static Float32Math Decide(double exactError, double? fastError, CpuInfo cpu)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        if (fastError is null)
            return new(Highest, exactError, null, "this libtorch does not expose the fp32 matmul precision; plain fp32 kernels", cpu);
        if (fastError <= Tolerance)
            return new(Medium, exactError, fastError, $"oneDNN fp32 products checked exact on this CPU (relative error {fastError:0.0e0})", cpu);
        return new(Highest, exactError, fastError,
            $"oneDNN's fast fp32 path computes in bfloat16 on this CPU (relative error {fastError:0.0e0} > {Tolerance:0e0}); plain fp32 kernels kept", cpu);
    }

    private const string Highest = "highest";
    private const string Medium = "medium";

    /// <summary>One float32 operation and its float64 reference, on fixed pseudo-random inputs shaped like the models' own
    /// (oneDNN chooses kernels by shape).</summary>
    private sealed class Probe(Func<Tensor[], Tensor> op, params long[][] shapes)
    {
        private readonly Tensor[] _inputs = shapes.Select((s, i) => Fixed(s, i)).ToArray();
        private Tensor? _reference;

        public double Error()
        {
            _reference ??= op(_inputs.Select(t => t.to(ScalarType.Float64)).ToArray());
            var diff = op(_inputs).to(ScalarType.Float64).sub(_reference).abs().max().item<double>();
            return diff / _reference.abs().max().item<double>();
        }

        public static Probe[] All() =>
        [
            new(x => x[0].matmul(x[1]), [149, 768], [768, 768]),                         // wav2vec2-base projections
            new(x => nn.functional.linear(x[0], x[1], x[2]), [99, 64], [128, 64], [128]), // tiny feed-forward
            new(x => x[0].bmm(x[1]), [12, 149, 64], [12, 64, 149]),                      // attention scores
            new(x => nn.functional.conv1d(x[0], x[1], stride: 2), [2, 64, 799], [64, 64, 3]),
            new(x => nn.functional.conv2d(x[0], x[1], padding: [1, 1]), [2, 16, 64, 101], [16, 16, 3, 3]),
        ];

        private static Tensor Fixed(long[] shape, int salt)
        {
            var random = new Random(1234 + salt);
            var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
            for (var i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
            return tensor(values).reshape(shape);
        }
    }
}
