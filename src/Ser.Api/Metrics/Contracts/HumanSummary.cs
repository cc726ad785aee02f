namespace Ser.Api.Metrics.Contracts;

public sealed record HumanSummary(double Wa, double Ua, int Clips);
