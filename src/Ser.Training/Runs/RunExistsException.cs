namespace Ser.Training.Runs;

/// <summary>A run with this id exists already: a new run never replaces another's spec or registry row.</summary>
public sealed class RunExistsException(string runId) : Exception($"Run {runId} exists already.")
{
    public string RunId => runId;
}
