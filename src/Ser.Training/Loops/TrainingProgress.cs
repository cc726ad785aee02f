namespace Ser.Training.Loops;

/// <summary>One structured progress event: after every optimizer step (<see cref="Phase"/> "step") and after each
/// epoch's validation ("epoch"). The console draws it as a bar; the API serves it from /jobs/{id}.</summary>
public sealed record TrainingProgress(
    string Phase, int Epoch, int Epochs, long Step, long Steps, double Loss, double LearningRate,
    double ClipsPerSecond, double EtaSeconds, double? ValidationUa = null, double? ValidationWa = null)
{
    public double Fraction => Steps == 0 ? 0 : Math.Clamp((double)Step / Steps, 0, 1);
}
