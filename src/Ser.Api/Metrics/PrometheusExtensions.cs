using System.Diagnostics.Metrics;
using Prometheus;
using Ser.Api.Classification;
using Ser.Api.Jobs;
using Ser.Core.Diagnostics;
using Ser.Core.Models;

namespace Ser.Api.Metrics;

/// <summary><c>GET /metrics</c> in Prometheus text format: requests by route and status with latency histograms
/// (prometheus-net), inference queue length, forward-pass seconds and windows per pass per model, jobs by state. Serving records its
/// timings on Ser's meter only; they reach Prometheus through a listener here.</summary>
public static class PrometheusExtensions
{
    private static readonly Histogram InferenceSeconds = Prometheus.Metrics.CreateHistogram("ser_inference_seconds",
        "Time of one batched forward pass.", new HistogramConfiguration { LabelNames = ["architecture"], Buckets = Histogram.ExponentialBuckets(0.005, 2, 12) });

    private static readonly Histogram BatchWindows = Prometheus.Metrics.CreateHistogram("ser_batch_size_windows",
        "Windows in one forward pass (how full batching keeps the passes).", new HistogramConfiguration { LabelNames = ["architecture"], Buckets = Histogram.ExponentialBuckets(1, 2, 9) });

    private static readonly Gauge QueueLength = Prometheus.Metrics.CreateGauge("ser_inference_queue_length", "Requests waiting per model.", "architecture");
    private static readonly Gauge Jobs = Prometheus.Metrics.CreateGauge("ser_jobs", "Jobs by state.", "state");
    private static readonly Lazy<MeterListener> Listener = new(ListenToInference);

    public static WebApplication UseSerPrometheus(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        _ = Listener.Value;
        var batcher = app.Services.GetService<InferenceBatcher>(); // absent on a worker
        var jobs = app.Services.GetRequiredService<JobStore>();
        Prometheus.Metrics.DefaultRegistry.AddBeforeCollectCallback(() =>
        {
            if (batcher is not null)
                foreach (var architecture in ModelArchitectures.All) QueueLength.WithLabels(architecture).Set(batcher.QueueLength(architecture));
            var counts = jobs.CountByState();
            foreach (var state in Enum.GetValues<JobState>()) Jobs.WithLabels(state.ToString().ToLowerInvariant()).Set(counts.GetValueOrDefault(state));
        });
        app.UseHttpMetrics();
        app.MapMetrics("/metrics");
        return app;
    }

    // One listener for the process (Prometheus' registry is static too), however many hosts a test run builds.
    private static MeterListener ListenToInference()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                // By name: the instrument is published while SerTelemetry is still being initialised (its field is null then).
                if (instrument.Meter.Name == SerTelemetry.Name && instrument.Name is SerTelemetry.InferenceDurationName or SerTelemetry.BatchSizeName)
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == SerTelemetry.ArchitectureTag) InferenceSeconds.WithLabels(tag.Value as string ?? "").Observe(seconds);
        });
        listener.SetMeasurementEventCallback<int>((_, windows, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == SerTelemetry.ArchitectureTag) BatchWindows.WithLabels(tag.Value as string ?? "").Observe(windows);
        });
        listener.Start();
        return listener;
    }
}
