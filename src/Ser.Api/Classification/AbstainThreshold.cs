namespace Ser.Api.Classification;

/// <summary>The threshold a served model flags <c>uncertain</c> below, the rule that chose it, and what it gave on the
/// run's validation clips (null when fixed).</summary>
/// <param name="Rule"><c>fixed</c>, <c>coverage</c> or <c>risk</c>.</param>
public sealed record AbstainThreshold(double Below, string Rule, double? ValidationCoverage = null, double? ValidationAccuracy = null, string? Note = null);
