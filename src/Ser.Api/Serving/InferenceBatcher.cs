using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Ser.Core.Models;

namespace Ser.Api.Serving;

/// <summary>Queues windows per architecture and runs them in batches of up to <c>MaxBatch</c>, so throughput grows
/// with load; when a queue holds <c>QueueCapacity</c> requests, new ones are refused (503 + Retry-After).</summary>
public sealed class InferenceBatcher : BackgroundService
{
    private readonly ModelHost _models;
    private readonly InferenceOptions _options;
    private readonly ILogger<InferenceBatcher> _logger;
    private readonly ConcurrentDictionary<string, Channel<Work>> _queues = new(StringComparer.Ordinal);

    public InferenceBatcher(ModelHost models, IOptions<InferenceOptions> options, ILogger<InferenceBatcher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        (_models, _options, _logger) = (models, options.Value, logger);
        foreach (var architecture in ModelArchitectures.All)
            _queues[architecture] = Channel.CreateBounded<Work>(new BoundedChannelOptions(_options.QueueCapacity)
            {
                SingleReader = true, FullMode = BoundedChannelFullMode.Wait,
            });
    }

    /// <summary>Which of the six labels the current model of <paramref name="architecture"/> predicts, or null.</summary>
    public IReadOnlyList<string>? LabelsSupported(string architecture) =>
        _models.Active.TryGetValue(architecture, out var model) ? model.Classifier.LabelsSupported : null;

    /// <summary>Requests waiting, per architecture (for /metrics).</summary>
    public int QueueLength(string architecture) => _queues.TryGetValue(architecture, out var q) ? q.Reader.Count : 0;

    /// <exception cref="QueueFullException">The architecture's queue is full.</exception>
    /// <exception cref="ModelUnavailableException">No model of that architecture is loaded.</exception>
    public Task<Scored> ScoreAsync(string architecture, IReadOnlyList<float[]> windows, CancellationToken cancellationToken)
    {
        var work = new Work(windows, new TaskCompletionSource<Scored>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queues[architecture].Writer.TryWrite(work)) throw new QueueFullException(architecture);
        cancellationToken.Register(() => work.Result.TrySetCanceled(cancellationToken));
        return work.Result.Task;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_queues.Select(q => Task.Run(() => WorkAsync(q.Key, q.Value.Reader, stoppingToken), stoppingToken)));

    private async Task WorkAsync(string architecture, ChannelReader<Work> reader, CancellationToken stoppingToken)
    {
        while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
        {
            var batch = new List<Work>();
            var windows = 0;
            while (windows < _options.MaxBatch && reader.TryRead(out var work))
            {
                if (work.Result.Task.IsCompleted) continue; // cancelled while queued
                batch.Add(work);
                windows += work.Windows.Count;
            }
            if (batch.Count == 0) continue;
            var model = _models.Acquire(architecture);
            if (model is null)
            {
                foreach (var work in batch) work.Result.TrySetException(new ModelUnavailableException(architecture));
                continue;
            }
            try
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var all = model.Classifier.PredictBatch(batch.SelectMany(w => w.Windows).ToArray());
                var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                Extensions.PrometheusExtensions.InferenceSeconds.WithLabels(architecture).Observe(elapsed / 1000);
                var offset = 0;
                foreach (var work in batch)
                {
                    work.Result.TrySetResult(new Scored(all.Skip(offset).Take(work.Windows.Count).ToArray(), model.RunId, model.Classifier.Preset, elapsed));
                    offset += work.Windows.Count;
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _logger.LogError(e, "Inference failed for {Architecture}", architecture);
                foreach (var work in batch) work.Result.TrySetException(e);
            }
            finally
            {
                model.Release();
            }
        }
    }

    private sealed record Work(IReadOnlyList<float[]> Windows, TaskCompletionSource<Scored> Result);
}

/// <summary>Probabilities per window, from which model, and how long its forward pass took.</summary>
public sealed record Scored(IReadOnlyList<float[]> Windows, string? RunId, string Preset, double ForwardMs);

public sealed class QueueFullException(string architecture) : Exception($"The {architecture} queue is full.")
{
    public string Architecture => architecture;
}

public sealed class ModelUnavailableException(string architecture) : Exception($"No {architecture} model is loaded.")
{
    public string Architecture => architecture;
}
