namespace Ser.Training.CrossValidation;

/// <summary>One architecture's test figures over the folds it finished.</summary>
public sealed record ArchitectureSummary(string Architecture, MeanSd Wa, MeanSd Ua, MeanSd MacroF1);
