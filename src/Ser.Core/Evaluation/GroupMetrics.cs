namespace Ser.Core.Evaluation;

/// <summary>Headline figures on a subset (one sex, one intensity).</summary>
public sealed record GroupMetrics(double Wa, double Ua, double MacroF1, int Clips);
