namespace Ser.Api.Jobs;

/// <summary>The cross-validation a fold's job belongs to, and every fold's job (<c>{data}/cross-validation/{Id}.json</c> has
/// their runs too).</summary>
public sealed record CrossValidationRef(string Id, int Fold, int Folds, IReadOnlyList<string> Jobs);
