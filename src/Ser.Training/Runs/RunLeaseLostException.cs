namespace Ser.Training.Runs;

/// <summary>The run's lease was lost while it ran (taken over, or the registry unreachable for the stale window): the
/// run stopped at a step without writing a checkpoint or a state, and resumes from its last checkpoint under a new lease.</summary>
public sealed class RunLeaseLostException(string runId, string reason)
    : Exception($"Run {runId} stopped: {reason}. Its last checkpoint is kept and the run resumes from it under a new lease.")
{
    public string RunId => runId;

    public string Reason => reason;
}
