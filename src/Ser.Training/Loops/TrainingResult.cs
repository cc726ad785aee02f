using Ser.Training.Runs;

namespace Ser.Training.Loops;

/// <summary>How a training ended: the best epoch by validation UA (whose weights the model now holds) and the curve;
/// <paramref name="Precision"/> is what the steps multiplied in (<see cref="TrainingPrecision"/>).</summary>
public sealed record TrainingResult(int BestEpoch, double BestValidationUa, IReadOnlyList<EpochMetrics> History, bool StoppedEarly,
    long Steps, double Seconds, long? ResumedFromStep, string Precision = TrainingPrecision.Float32);
