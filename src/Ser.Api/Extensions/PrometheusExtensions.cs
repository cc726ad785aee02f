using Prometheus;
using Ser.Api.Jobs;
using Ser.Api.Serving;
using Ser.Core.Models;

namespace Ser.Api.Extensions;

/// <summary><c>GET /metrics</c> in Prometheus text format: requests by route and status with latency histograms
/// (prometheus-net), inference queue length and forward-pass seconds per model, jobs by state.</summary>
public static class PrometheusExtensions
{
    /// <summary>Forward-pass time of one batch, by architecture (observed by the batcher).</summary>
    public static readonly Histogram InferenceSeconds = Metrics.CreateHistogram("ser_inference_seconds",
        "Time of one batched forward pass.", new HistogramConfiguration { LabelNames = ["architecture"], Buckets = Histogram.ExponentialBuckets(0.005, 2, 12) });

    private static readonly Gauge QueueLength = Metrics.CreateGauge("ser_inference_queue_length", "Requests waiting per model.", "architecture");
    private static readonly Gauge Jobs = Metrics.CreateGauge("ser_jobs", "Jobs by state.", "state");

    public static WebApplication UseSerPrometheus(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var batcher = app.Services.GetService<InferenceBatcher>(); // absent on a worker
        var jobs = app.Services.GetRequiredService<JobStore>();
        Metrics.DefaultRegistry.AddBeforeCollectCallback(() =>
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
}
