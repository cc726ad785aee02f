namespace Ser.Api.Contracts;

/// <summary>Answer of <c>GET /models</c>.</summary>
public sealed record ModelsResponse(IReadOnlyDictionary<string, string?> Active, IReadOnlyList<LoadedModel> Loaded, MathMode Math);

/// <summary>The math the models run with on this process's CPU.</summary>
/// <param name="Precision"><c>Ser:Inference:Precision</c>: <c>Float32</c> or <c>BFloat16</c>.</param>
/// <param name="Float32Matmul">libtorch's fp32 matmul precision in force: <c>medium</c> (oneDNN, checked exact at start-up)
/// or <c>highest</c>.</param>
/// <param name="Float32Check">Why: the start-up check's finding.</param>
/// <param name="ExactError">Relative error of the start-up probes with plain fp32 kernels.</param>
/// <param name="FastError">Relative error of the same probes on the fast path (null: not settable).</param>
/// <param name="Bf16Kernels"><c>amx</c>, <c>avx512_bf16</c> or <c>emulated</c>: what BFloat16 runs on here.</param>
public sealed record MathMode(string Precision, string Float32Matmul, string Float32Check, double ExactError, double? FastError, string Cpu,
    string Bf16Kernels);

/// <param name="Precision">What this model runs in: <c>Float32</c> or <c>BFloat16</c>.</param>
/// <param name="Bf16Drift">Null for folders (no held-out clips) and for runs made before drift was measured.</param>
/// <param name="Source"><c>registry</c> (a run) or <c>folder</c> (Ser:Models:{architecture}:Path).</param>
public sealed record LoadedModel(string Architecture, string? RunId, string Preset, string Source, long Parameters, string Dataset,
    string? SplitHash, TestMetricsInfo? TestMetrics, IReadOnlyList<string> Labels, string Device, DateTimeOffset LoadedAt, string Precision,
    Bf16DriftInfo? Bf16Drift);

/// <summary>The run's bfloat16 copy against its float32 answers on its held-out test clips (measured when the run ended).</summary>
public sealed record Bf16DriftInfo(int Clips, double MeanAbsDiff, double MaxAbsDiff, double TopLabelAgreement, string Cpu, string Kernels);

public sealed record TestMetricsInfo(double Wa, double Ua, double MacroF1);

/// <summary>Body of <c>POST /models/{architecture}/activate</c>.</summary>
public sealed record ActivateRequest(string? RunId);
