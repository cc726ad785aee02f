namespace Ser.Training.Runs;

/// <summary>What a run is (<see cref="RunSpec.Kind"/>), and so what a job of that kind does.</summary>
public static class RunKinds
{
    /// <summary>Trains a model and evaluates it on its test split.</summary>
    public const string Train = "train";

    /// <summary>Scores a finished training run's model again (<see cref="RunSpec.SourceRun"/>).</summary>
    public const string Evaluate = "evaluate";
}
