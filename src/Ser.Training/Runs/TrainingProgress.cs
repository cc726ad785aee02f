namespace Ser.Training.Runs;

/// <summary>One structured progress event: after every optimizer step (<see cref="Phase"/> <see cref="StepPhase"/>), after
/// each epoch's validation (<see cref="EpochPhase"/>), and while a base checkpoint downloads (<see cref="DownloadPhase"/>, with <see cref="Bytes"/> of
/// <see cref="TotalBytes"/> of the file <see cref="File"/>). The console draws it as a bar; the API serves it from /jobs/{id}.</summary>
public sealed record TrainingProgress(
    string Phase, int Epoch, int Epochs, long Step, long Steps, double Loss, double LearningRate,
    double ClipsPerSecond, double EtaSeconds, double? ValidationUa = null, double? ValidationWa = null,
    string? File = null, long? Bytes = null, long? TotalBytes = null)
{
    public const string StepPhase = "step";

    public const string EpochPhase = "epoch";

    public const string DownloadPhase = "download";

    public double Fraction => Phase == DownloadPhase
        ? (TotalBytes is > 0 and var total ? Math.Clamp((double)(Bytes ?? 0) / total, 0, 1) : 0)
        : Steps == 0 ? 0 : Math.Clamp((double)Step / Steps, 0, 1);

    /// <summary>A download event, before epoch 1.</summary>
    public static TrainingProgress Download(string file, long bytes, long? totalBytes, int epochs) =>
        new(DownloadPhase, 0, epochs, 0, 0, 0, 0, 0, 0, File: file, Bytes: bytes, TotalBytes: totalBytes);
}
