namespace Ser.Core.Evaluation;

/// <summary>One bar of a reliability diagram: the clips whose confidence falls in [Lower, Upper), their mean
/// confidence and their accuracy (equal for a perfectly calibrated model).</summary>
public sealed record ReliabilityBin(double Lower, double Upper, int Count, double Confidence, double Accuracy);
