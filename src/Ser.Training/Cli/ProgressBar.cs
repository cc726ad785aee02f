using System.Globalization;
using Ser.Training.Runs;

namespace Ser.Training.Cli;

/// <summary>Draws training progress on the error stream: a redrawn bar on a terminal, one line per epoch otherwise.</summary>
public sealed class ProgressBar(TextWriter writer) : IProgress<TrainingProgress>
{
    private readonly bool _interactive = !Console.IsErrorRedirected && ReferenceEquals(writer, Console.Error);

    public void Report(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var c = CultureInfo.InvariantCulture;
        if (value.Phase == TrainingProgress.EpochPhase)
        {
            if (_interactive) writer.Write('\r');
            writer.WriteLine(string.Create(c, $"epoch {value.Epoch}/{value.Epochs}: loss {value.Loss:0.000}, validation UA {value.ValidationUa:0.000}, "
                + $"WA {value.ValidationWa:0.000}, {value.ClipsPerSecond:0.0} clips/s, ETA {TimeSpan.FromSeconds(value.EtaSeconds):hh\\:mm\\:ss}"));
            return;
        }
        if (!_interactive) return;
        var filled = (int)(value.Fraction * 30);
        writer.Write(string.Create(c, $"\r[{new string('#', filled)}{new string('.', 30 - filled)}] {value.Fraction:P0} step {value.Step}/{value.Steps} "
            + $"loss {value.Loss:0.000} lr {value.LearningRate:0.0e0} {value.ClipsPerSecond:0.0} clips/s ETA {TimeSpan.FromSeconds(value.EtaSeconds):hh\\:mm\\:ss}  "));
    }

    public void Done()
    {
        if (_interactive) writer.WriteLine();
    }
}
