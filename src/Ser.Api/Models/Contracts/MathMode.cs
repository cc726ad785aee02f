namespace Ser.Api.Models.Contracts;

/// <summary>The math the models run with on this process's CPU.</summary>
/// <param name="Precision"><c>Ser:Inference:Precision</c>: <c>Float32</c> or <c>BFloat16</c>.</param>
/// <param name="Float32Matmul">libtorch's fp32 matmul precision in force: <c>medium</c> (oneDNN, checked exact at start-up)
/// or <c>highest</c>.</param>
/// <param name="Float32Check">Why: the start-up check's finding.</param>
/// <param name="ExactError">Relative error of the start-up probes with plain fp32 kernels.</param>
/// <param name="FastError">Relative error of the same probes on the fast path (null: not settable).</param>
/// <param name="Bf16Kernels"><c>amx</c>, <c>avx512_bf16</c> or <c>emulated</c>: what BFloat16 runs on here.</param>
/// <param name="Bf16Faster">Whether BFloat16 runs faster than Float32 here; where not, <c>BFloat16</c> is served as Float32.</param>
/// <param name="Bf16Reason">Why (the CPU's bf16 hardware).</param>
public sealed record MathMode(string Precision, string Float32Matmul, string Float32Check, double ExactError, double? FastError, string Cpu,
    string Bf16Kernels, bool Bf16Faster, string Bf16Reason);
