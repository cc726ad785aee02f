namespace Ser.Api.Jobs.Contracts;

/// <summary>Body of <c>POST /jobs/evaluate</c>: evaluate finished runs again, on their own split (<c>same</c>) or on
/// another configured dataset with the same split settings.</summary>
/// <param name="Dataset">A name under Ser:Datasets; default: each run's own dataset.</param>
/// <param name="Split">Only <c>same</c> is supported: the run's split, or the same settings on another dataset.</param>
public sealed record EvaluateJobRequest(IReadOnlyList<string>? Runs, string? Dataset, string? Split);
