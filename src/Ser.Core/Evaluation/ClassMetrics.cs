namespace Ser.Core.Evaluation;

/// <summary>Precision, recall and F1 of one class (0 where undefined, e.g. a class never predicted).</summary>
public sealed record ClassMetrics(string Label, double Precision, double Recall, double F1, int Support);
