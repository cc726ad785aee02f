using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Ser.Core.Diagnostics;
using Ser.Core.Models;
using Ser.Core.Runtime;
using Ser.Api.Models;

namespace Ser.Api.Classification;

/// <summary>Queues windows per architecture and runs them in forward passes of up to <c>MaxBatch</c> windows, so
/// throughput grows with load. The queue is budgeted in windows (<c>QueueCapacity</c>), not requests: when it is full,
/// new requests are refused (503 + Retry-After). Windows are slices of the decoded clip, read once, by their pass, into
/// the model's input. Each architecture has a loop; an idle one helps another architecture's queue where both run on
/// the same share of threads.</summary>
public sealed class InferenceBatcher : BackgroundService
{
    private readonly ModelHost _models;
    private readonly InferenceOptions _options;
    private readonly ILogger<InferenceBatcher> _logger;
    private readonly ConcurrentDictionary<string, Queue> _queues = new(StringComparer.Ordinal);
    private readonly int _threads = TorchSharp.torch.get_num_threads();
    private readonly ConcurrentDictionary<string, int> _passThreads = new(StringComparer.Ordinal);

    public InferenceBatcher(ModelHost models, IOptions<InferenceOptions> options, ILogger<InferenceBatcher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        (_models, _options, _logger) = (models, options.Value, logger);
        foreach (var architecture in ModelArchitectures.All) _queues[architecture] = new Queue();
    }

    /// <summary>Windows waiting, per architecture (for /metrics).</summary>
    public int QueueLength(string architecture) => _queues.TryGetValue(architecture, out var q) ? q.Windows : 0;

    /// <exception cref="QueueFullException">The architecture's queue holds <c>QueueCapacity</c> windows already.</exception>
    /// <exception cref="ModelUnavailableException">No model of that architecture is loaded.</exception>
    /// <exception cref="ModelOverloadedException">The forward pass ran out of memory.</exception>
    public Task<Scored> ScoreAsync(string architecture, IReadOnlyList<ReadOnlyMemory<float>> windows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(windows);
        var queue = _queues[architecture];
        // An empty queue takes any request, so a clip longer than the whole budget is still served (alone).
        if (!queue.TryAdmit(windows.Count, _options.QueueCapacity)) throw new QueueFullException(architecture);
        var work = new Work(windows, new TaskCompletionSource<Scored>(TaskCreationOptions.RunContinuationsAsynchronously),
            Activity.Current?.Context ?? default);
        queue.Channel.Writer.TryWrite(work);
        cancellationToken.Register(() => work.Result.TrySetCanceled(cancellationToken));
        return work.Result.Task;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_queues.Select(q => Task.Run(() => WorkAsync(q.Key, stoppingToken), stoppingToken)));

    // One loop per architecture, at home on its queue; with nothing of its own it runs the waiting windows of the
    // architectures it may help (PassThreadShares.HelpedBy). With wav2vec2-tiny and resnet18-tiny on two cores the
    // cheaper model's core otherwise idled a third of the time while the costlier model's queue waited.
    private async Task WorkAsync(string home, CancellationToken stoppingToken)
    {
        IChangeToken? changes = null;
        List<string> queues = [];
        while (!stoppingToken.IsCancellationRequested)
        {
            // Home first, then the architectures it may help: read again only once the served models changed.
            if (changes is null || changes.HasChanged)
            {
                changes = _models.GetChangeToken();
                queues = [home, .. Helped(home)];
            }
            var ran = false;
            foreach (var architecture in queues)
            {
                var batch = Take(_queues[architecture]);
                if (batch.Count == 0) continue;
                Run(architecture, batch);
                ran = true;
                break;
            }
            if (!ran) await WaitForWorkAsync(queues, changes, stoppingToken).ConfigureAwait(false);
        }
    }

    // Up to MaxBatch windows of the requests waiting (at least one request, however long).
    private List<Work> Take(Queue queue)
    {
        var batch = new List<Work>();
        var windows = 0;
        while (windows < _options.MaxBatch && queue.Channel.Reader.TryRead(out var work))
        {
            queue.Release(work.Windows.Count);
            if (work.Result.Task.IsCompleted) continue; // cancelled while queued
            batch.Add(work);
            windows += work.Windows.Count;
        }
        return batch;
    }

    private IReadOnlyList<string> Helped(string home) =>
        PassThreadShares.HelpedBy(home, _models.Active.Keys.Where(_queues.ContainsKey).ToDictionary(a => a, PassThreads, StringComparer.Ordinal));

    // Until any of the queues has a request, the served models change (the loops helped may then differ), or the service
    // stops; the other waits are cancelled, so none is left behind.
    private async Task WaitForWorkAsync(IEnumerable<string> architectures, IChangeToken changes, CancellationToken stoppingToken)
    {
        using var woken = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var waits = architectures.Select(a => _queues[a].Channel.Reader.WaitToReadAsync(woken.Token).AsTask()).ToList();
        // Cancelled asynchronously: this loop must not resume on the thread that installs a model.
        using (changes.RegisterChangeCallback(_ => _ = woken.CancelAsync(), null))
        {
            try
            {
                await Task.WhenAny(waits).ConfigureAwait(false);
            }
            finally
            {
                await woken.CancelAsync().ConfigureAwait(false);
            }
        }
    }

    // Never throws: whatever a pass does (out of memory included), the loop goes on and the batch's requests get an answer.
    private void Run(string architecture, List<Work> batch)
    {
        var model = _models.Acquire(architecture);
        if (model is null)
        {
            foreach (var work in batch) work.Result.TrySetException(new ModelUnavailableException(architecture));
            return;
        }
        using var activity = StartBatch(architecture, batch);
        try
        {
            // Each architecture's loop runs its passes at the same time as the other's, on its share of the threads.
            using var threads = IntraOpThreads.Use(PassThreads(architecture));
            var started = Stopwatch.GetTimestamp();
            var all = new List<float[]>(batch.Sum(w => w.Windows.Count));
            // A long clip is scored in passes of MaxBatch windows.
            foreach (var pass in batch.SelectMany(w => w.Windows).Chunk(_options.MaxBatch))
            {
                using (var forward = SerTelemetry.Source.StartActivity("ser.inference.forward"))
                {
                    forward?.SetTag(SerTelemetry.ArchitectureTag, architecture);
                    forward?.SetTag(SerTelemetry.WindowsTag, pass.Length);
                    all.AddRange(model.Classifier.PredictBatch(pass));
                }
                var tag = new KeyValuePair<string, object?>(SerTelemetry.ArchitectureTag, architecture);
                SerTelemetry.WindowsScored.Add(pass.Length, tag);
                SerTelemetry.BatchSize.Record(pass.Length, tag);
            }
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            SerTelemetry.InferenceDuration.Record(elapsed / 1000, new KeyValuePair<string, object?>(SerTelemetry.ArchitectureTag, architecture));
            var offset = 0;
            foreach (var work in batch)
            {
                work.Result.TrySetResult(new Scored(all.GetRange(offset, work.Windows.Count), model, elapsed));
                offset += work.Windows.Count;
            }
        }
        catch (Exception e) when (IsOutOfMemory(e))
        {
            activity?.SetStatus(ActivityStatusCode.Error, "out of memory");
            _logger.LogWarning("Inference for {Architecture} ran out of memory on {Windows} windows; the batch's requests get 503", architecture,
                batch.Sum(w => w.Windows.Count));
            foreach (var work in batch) work.Result.TrySetException(new ModelOverloadedException(architecture));
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            _logger.LogError(e, "Inference failed for {Architecture}", architecture);
            foreach (var work in batch) work.Result.TrySetException(e);
        }
        finally
        {
            model.Release();
        }
    }

    private int PassThreads(string architecture)
    {
        var served = _models.Active.Values.ToList();
        var threads = PassThreadShares.For(architecture, served, _options, _threads);
        if (_passThreads.TryGetValue(architecture, out var before) && before == threads) return threads;
        _passThreads[architecture] = threads;
        _logger.LogInformation("{Architecture} passes run on {Threads} of {Total} threads (2 s clip, on one thread and on all: {Served})",
            architecture, threads, _threads, string.Join("; ", served.Select(m => m.PassCost is { } c
                ? FormattableString.Invariant($"{m.Architecture} {c.OneThread.TotalMilliseconds:0.0} and {c.AllThreads.TotalMilliseconds:0.0} ms")
                : $"{m.Architecture} not measured")));
        return threads;
    }

    // A child of the first request's classify span, linked to every request it serves.
    private static Activity? StartBatch(string architecture, List<Work> batch)
    {
        var links = batch.Where(w => w.Caller != default).Select(w => new ActivityLink(w.Caller));
        var activity = SerTelemetry.Source.StartActivity("ser.inference.batch", ActivityKind.Internal,
            batch.Select(w => w.Caller).FirstOrDefault(c => c != default), links: links);
        activity?.SetTag(SerTelemetry.ArchitectureTag, architecture);
        activity?.SetTag("ser.requests", batch.Count);
        activity?.SetTag(SerTelemetry.WindowsTag, batch.Sum(w => w.Windows.Count));
        return activity;
    }

    // libtorch reports an allocator failure (CPU or CUDA) as an ExternalException naming it.
    private static bool IsOutOfMemory(Exception e) =>
        e is OutOfMemoryException
        || (e is ExternalException && e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase))
        || (e is ExternalException && e.Message.Contains("DefaultCPUAllocator", StringComparison.Ordinal));

    private sealed record Work(IReadOnlyList<ReadOnlyMemory<float>> Windows, TaskCompletionSource<Scored> Result, ActivityContext Caller);

    private sealed class Queue
    {
        private int _windows;

        public Channel<Work> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<Work>();

        public int Windows => Volatile.Read(ref _windows);

        public bool TryAdmit(int windows, int capacity)
        {
            while (true)
            {
                var current = Volatile.Read(ref _windows);
                if (current > 0 && current + windows > capacity) return false;
                if (Interlocked.CompareExchange(ref _windows, current + windows, current) == current) return true;
            }
        }

        public void Release(int windows) => Interlocked.Add(ref _windows, -windows);
    }
}
