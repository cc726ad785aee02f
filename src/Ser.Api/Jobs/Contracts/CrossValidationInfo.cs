namespace Ser.Api.Jobs.Contracts;

/// <summary>Which cross-validation a job trains a fold of, and where the folds' figures are gathered.</summary>
/// <param name="Results"><c>/metrics/cross-validation/{id}</c>: mean ± sd and per-fold figures, paired per fold.</param>
public sealed record CrossValidationInfo(string Id, int Fold, int Folds, IReadOnlyList<string> Jobs, string Results);
