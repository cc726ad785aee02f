namespace Ser.Core.Features;

/// <summary>Filter normalisation: none (peak 1) or Slaney (each triangle has unit area).</summary>
public enum MelNorm
{
    None,
    Slaney,
}
