using System.Threading.Channels;
using Ser.Core.Data;

namespace Ser.Training.Loops;

/// <summary>Reads and collates batches on a background thread, at most <c>capacity</c> ahead of the training loop,
/// so decoding overlaps compute and memory stays bounded.</summary>
internal sealed class BatchLoader : IAsyncDisposable
{
    private readonly Channel<TrainingBatch> _channel;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;

    public BatchLoader(ITrainableModel model, IReadOnlyList<ClipInfo> clips, ClipAudioReader audio, BatchPlan plan, int epoch,
        int firstBatch, int capacity = 3)
    {
        _channel = Channel.CreateBounded<TrainingBatch>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
        _producer = Task.Run(async () =>
        {
            try
            {
                var order = plan.Order(epoch);
                for (var b = firstBatch; b < plan.BatchesPerEpoch && !_stop.IsCancellationRequested; b++)
                {
                    var members = plan.Batch(order, b).Select(i => (audio.Read(clips[i]), clips[i].Label)).ToArray();
                    var batch = model.Collate(members, plan.Random(epoch, b));
                    try
                    {
                        await _channel.Writer.WriteAsync(batch, _stop.Token).ConfigureAwait(false);
                    }
                    catch
                    {
                        batch.Dispose();
                        throw;
                    }
                }
                _channel.Writer.TryComplete();
            }
            catch (Exception e)
            {
                _channel.Writer.TryComplete(e is OperationCanceledException ? null : e);
            }
        });
    }

    public async ValueTask<TrainingBatch?> NextAsync(CancellationToken cancellationToken) =>
        await _channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false) && _channel.Reader.TryRead(out var batch) ? batch : null;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try { await _producer.ConfigureAwait(false); } catch (OperationCanceledException) { }
        while (_channel.Reader.TryRead(out var left)) left.Dispose();
        _stop.Dispose();
    }
}
