namespace Ser.Api.Models.Contracts;

public sealed record TestMetricsInfo(double Wa, double Ua, double MacroF1);
