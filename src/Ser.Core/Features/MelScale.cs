namespace Ser.Core.Features;

/// <summary>Hz ↔ mel mapping: HTK (2595·log10(1 + f/700)) or Slaney (linear below 1 kHz, log above).</summary>
public enum MelScale
{
    Htk,
    Slaney,
}
