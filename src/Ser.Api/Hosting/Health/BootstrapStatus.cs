namespace Ser.Api.Hosting.Health;

/// <summary>Progress of the start-up bootstrap (stage name and fraction done, 0–1).</summary>
public sealed record BootstrapStatus(string Stage, double Fraction);
