namespace Ser.Api.Contracts;

/// <param name="Strategy"><c>actor</c> (default), <c>actor-kfold</c> or <c>random</c>.</param>
public sealed record SplitRequest(string? Strategy, long? Seed, int? Folds, int? Fold, double? Validation, double? Test);
