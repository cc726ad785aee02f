namespace Ser.Api.Models.Contracts;

/// <param name="Precision">What this model runs in: <c>Float32</c> or <c>BFloat16</c>.</param>
/// <param name="Bf16Drift">Null for folders (no held-out clips) and for runs made before drift was measured.</param>
/// <param name="Source"><c>registry</c> (a run) or <c>folder</c> (Ser:Models:{architecture}:Path).</param>
public sealed record LoadedModel(string Architecture, string? RunId, string Preset, string Source, long Parameters, string Dataset,
    string? SplitHash, TestMetricsInfo? TestMetrics, IReadOnlyList<string> Labels, string Device, DateTimeOffset LoadedAt, string Precision,
    Bf16DriftInfo? Bf16Drift)
{
    public CalibrationInfo? Calibration { get; init; }

    public PassInfo? Pass { get; init; }
}
