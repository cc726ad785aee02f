using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Ser.Core.Diagnostics;

/// <summary>Ser's own spans and instruments, both named "Ser" (the OpenTelemetry SDK subscribes to them by that name;
/// without a listener they cost next to nothing). Span and tag names are listed in README's telemetry section.</summary>
public static class SerTelemetry
{
    public const string Name = "Ser";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>Windows through a forward pass, by <c>ser.architecture</c>.</summary>
    public static readonly Counter<long> WindowsScored = Meter.CreateCounter<long>("ser.windows.scored", "{window}", "Windows scored by a forward pass.");

    /// <summary>Windows per forward pass, by <c>ser.architecture</c> (Prometheus: <c>ser_batch_size_windows</c>).</summary>
    public static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>(BatchSizeName, "{window}", "Windows in one forward pass.");

    public const string BatchSizeName = "ser.batch.size";

    /// <summary>Seconds of one batched forward pass, by <c>ser.architecture</c> (Prometheus: <c>ser_inference_seconds</c>).</summary>
    public static readonly Histogram<double> InferenceDuration = Meter.CreateHistogram<double>(InferenceDurationName, "s", "Time of one batched forward pass.");

    public const string InferenceDurationName = "ser.inference.duration";

    /// <summary>Training epochs finished, by <c>ser.architecture</c>.</summary>
    public static readonly Counter<long> Epochs = Meter.CreateCounter<long>("ser.training.epochs", "{epoch}", "Training epochs finished.");

    public const string ArchitectureTag = "ser.architecture";
    public const string WindowsTag = "ser.windows";
}
