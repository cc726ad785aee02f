namespace Ser.Training.CrossValidation;

/// <summary>The two architectures paired per fold: UA of <paramref name="First"/> minus <paramref name="Second"/> over the
/// folds both finished, and on how many folds each had the higher UA.</summary>
public sealed record PairedSummary(string First, string Second, MeanSd UaDifference, int FirstBetter, int SecondBetter);
