namespace Ser.Api.Models;

/// <summary>Headline test figures of the run a model came from.</summary>
public sealed record TestMetrics(double Wa, double Ua, double MacroF1);
