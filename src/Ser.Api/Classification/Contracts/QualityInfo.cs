namespace Ser.Api.Classification.Contracts;

/// <param name="Warnings">short (&lt; 1 s), very_short (&lt; 0.1 s), silent, clipped, low_snr, long (scored in windows).</param>
public sealed record QualityInfo(double PeakDbfs, double RmsDbfs, double ClippedFraction, double SilentFraction, double SnrDb, IReadOnlyList<string> Warnings);
