namespace Ser.Training.CrossValidation;

/// <summary>One architecture's run in one fold: its state and, once it succeeded, its test figures.</summary>
public sealed record FoldRun(string RunId, string Architecture, string State, double? Wa, double? Ua, double? MacroF1);
