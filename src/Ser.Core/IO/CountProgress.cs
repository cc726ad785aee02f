namespace Ser.Core.IO;

/// <summary>How far a counted pass has got (files checked, clips scored): for progress displays.</summary>
public readonly record struct CountProgress(string Phase, int Done, int Total);
