namespace Ser.Training.Runs;

/// <summary>One line of a run's learning curve (<c>metrics.jsonl</c>).</summary>
public sealed record EpochMetrics(int Epoch, long Step, double TrainLoss, double LearningRate, double ValidationWa, double ValidationUa,
    double ValidationMacroF1, double Seconds, double ClipsPerSecond);
