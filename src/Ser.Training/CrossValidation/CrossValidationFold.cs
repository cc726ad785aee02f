namespace Ser.Training.CrossValidation;

/// <summary>One fold of a cross-validation: the job that trains it and its runs (one per architecture, on one split).</summary>
public sealed record CrossValidationFold(int Fold, string JobId, IReadOnlyList<string> RunIds);
