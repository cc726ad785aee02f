namespace Ser.Training.Runs;

/// <summary>The run is being trained by another live process.</summary>
public sealed class RunLeasedException(string runId, string owner) : Exception($"Run {runId} is already being trained by {owner}.")
{
    public string RunId => runId;

    public string Owner => owner;
}
