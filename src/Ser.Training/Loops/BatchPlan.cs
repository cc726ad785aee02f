using Ser.Core.Data;

namespace Ser.Training.Loops;

/// <summary>Which clips form each batch, and the random stream of each batch's crops and augmentation: pure
/// functions of (seed, epoch, batch), so a resumed run sees exactly the batches it would have seen.</summary>
public sealed class BatchPlan(int clips, int batchSize, long seed)
{
    public int BatchesPerEpoch => (clips + batchSize - 1) / batchSize;

    /// <summary>The clip indices of one batch, from the epoch's <see cref="Order"/> (computed once per epoch).</summary>
    public int[] Batch(int[] order, int batch)
    {
        ArgumentNullException.ThrowIfNull(order);
        return order.Skip(batch * batchSize).Take(batchSize).ToArray();
    }

    public int[] Order(int epoch)
    {
        var order = Enumerable.Range(0, clips).ToArray();
        new DeterministicRandom(Mix(seed, epoch, -1)).Shuffle(order);
        return order;
    }

    public DeterministicRandom Random(int epoch, int batch) => new(Mix(seed, epoch, batch));

    private static long Mix(long seed, int epoch, int batch) =>
        unchecked(seed * 1_000_003L + epoch * 7_919L + batch * 104_729L + 0x5EED);
}
