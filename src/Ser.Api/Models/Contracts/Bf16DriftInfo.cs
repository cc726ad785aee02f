namespace Ser.Api.Models.Contracts;

/// <summary>The run's bfloat16 copy against its float32 answers on its held-out test clips (measured when the run ended).</summary>
public sealed record Bf16DriftInfo(int Clips, double MeanAbsDiff, double MaxAbsDiff, double TopLabelAgreement, string Cpu, string Kernels);
