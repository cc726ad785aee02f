using System.Globalization;
using Ser.Core.IO;

namespace Ser.Training.Cli;

/// <summary>Progress of a counted pass on the error stream, like <see cref="ProgressBar"/>: a redrawn bar on a terminal,
/// a line at every tenth (and at the end) otherwise.</summary>
public sealed class CountProgressBar(TextWriter writer) : IProgress<CountProgress>
{
    private readonly bool _interactive = !Console.IsErrorRedirected && ReferenceEquals(writer, Console.Error);
    private int _lastTenth = -1;
    private string? _phase;

    public void Report(CountProgress value)
    {
        if (value.Total <= 0) return;
        if (value.Phase != _phase) (_phase, _lastTenth) = (value.Phase, -1);
        var fraction = Math.Clamp((double)value.Done / value.Total, 0, 1);
        var line = string.Create(CultureInfo.InvariantCulture, $"{value.Phase}: {value.Done}/{value.Total} ({fraction:P0})");
        if (_interactive)
        {
            var filled = (int)(fraction * 30);
            writer.Write($"\r[{new string('#', filled)}{new string('.', 30 - filled)}] {line}  ");
            if (value.Done >= value.Total) writer.WriteLine();
            return;
        }
        var tenth = (int)(fraction * 10);
        if (tenth == _lastTenth) return;
        _lastTenth = tenth;
        writer.WriteLine(line);
    }
}
