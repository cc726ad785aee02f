namespace Ser.Core.Data.Synthetic;

/// <summary>One synthetic speaker: sex, pitch, speaking rate, vocal-tract scale, loudness and breathiness.</summary>
public sealed record SyntheticVoice(int Actor, string Sex, double F0, double Rate, double TractScale, double GainDb, double Breathiness);
