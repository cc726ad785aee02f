namespace Ser.Api.Jobs.Contracts;

/// <param name="Strategy"><c>actor</c> (default), <c>actor-kfold</c>, <c>random</c> or <c>standard</c> (CREMA-D's published actor split).</param>
public sealed record SplitRequest(string? Strategy, long? Seed, int? Folds, int? Fold, double? Validation, double? Test);
