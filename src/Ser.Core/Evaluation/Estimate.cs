namespace Ser.Core.Evaluation;

/// <summary>A figure with its 95 % bootstrap confidence interval.</summary>
public sealed record Estimate(double Value, double[] Ci95);
