namespace Ser.Core.Data;

/// <summary>A file left out of a corpus and why (never silently).</summary>
public sealed record ExcludedClip(string File, string Reason);
