namespace Ser.Core.Evaluation;

/// <summary>The crowd's audio-only majority vote scored like a model on the same clips (ties count as misses).</summary>
public sealed record HumanBaseline(double Wa, double Ua, double MacroF1, int Clips, string Rule);
