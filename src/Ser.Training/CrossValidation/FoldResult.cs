using Ser.Core.Evaluation;

namespace Ser.Training.CrossValidation;

/// <summary>One fold: its job, its runs, and, when two architectures finished on it, their paired comparison on the
/// fold's test clips (UA of the first minus the second, McNemar's test).</summary>
public sealed record FoldResult(int Fold, string JobId, IReadOnlyList<FoldRun> Runs, double? UaDifference, McNemar? Mcnemar);
