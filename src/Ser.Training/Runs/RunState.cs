namespace Ser.Training.Runs;

/// <summary>Lifecycle of a run. Only <see cref="Succeeded"/> runs have a model and an evaluation, written in full.</summary>
public enum RunState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}
