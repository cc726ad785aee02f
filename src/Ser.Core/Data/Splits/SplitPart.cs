namespace Ser.Core.Data.Splits;

/// <summary>The speakers and clip ids of one side of a split.</summary>
public sealed record SplitPart(IReadOnlyList<string> Speakers, IReadOnlyList<string> Clips);
