namespace Ser.Training.Runs;

/// <summary>What <see cref="RunPlanner.Plan"/> made of a request: the runs to create, or every invalid field (by the
/// request's JSON names: <c>architecture</c>, <c>split.folds</c>, <c>hyperParameters.epochs</c>, …) and never both.</summary>
public sealed record RunPlan(IReadOnlyList<RunSpec> Runs, IReadOnlyDictionary<string, string[]> Errors)
{
    public bool IsValid => Errors.Count == 0;
}
