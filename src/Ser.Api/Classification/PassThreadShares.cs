using Ser.Api.Models;

namespace Ser.Api.Classification;

/// <summary>How many of libtorch's threads each architecture's forward passes take when <c>Ser:Inference:PassThreads</c>
/// is 0. The architectures' loops run their passes at the same time. By default each takes an even share, so no
/// OpenMP thread waits for a core another model holds; where one model costs far more than the rest (wav2vec2-base
/// beside resnet18), it takes every thread and the others one each, when the measured costs
/// (<see cref="ServedModel.PassCost"/>) predict that serves more clips a second. A model served alone takes them all.
/// The counts are fixed while the served models are, so a clip's outputs repeat to the bit (resnet18's last bits
/// depend on them).</summary>
public static class PassThreadShares
{
    // The predicted gain a costly model must show to take every thread.
    private const double Margin = 1.1;

    /// <summary>What <paramref name="architecture"/>'s passes run on among <paramref name="served"/>:
    /// <c>Ser:Inference:PassThreads</c> where set, else its share by cost.</summary>
    public static int For(string architecture, IEnumerable<ServedModel> served, InferenceOptions options, int threads)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.PassThreads > 0 ? options.PassThreads : For(architecture, served.Select(m => (m.Architecture, m.PassCost)).ToList(), threads);
    }

    /// <param name="architecture">The architecture whose pass is about to run.</param>
    /// <param name="served">Every served model's architecture and cost (null: not measured).</param>
    /// <param name="threads">libtorch's threads.</param>
    public static int For(string architecture, IReadOnlyCollection<(string Architecture, PassCost? Cost)> served, int threads)
    {
        ArgumentNullException.ThrowIfNull(served);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        var others = served.Count(m => m.Architecture != architecture);
        if (others == 0) return threads;
        var even = Math.Max(1, threads / (others + 1));
        if (served.Any(m => m.Cost is null || m.Cost.OneThread <= TimeSpan.Zero || m.Cost.AllThreads <= TimeSpan.Zero)) return even;
        var costliest = served.MaxBy(m => m.Cost!.OneThread);
        // Clips a second: each loop busy on its share, against the costliest on every thread and the others' one-thread
        // passes counted as if they stopped it (an OpenMP team waits at its barriers for a core another model holds).
        var evenRate = served.Min(m => 1 / m.Cost!.Seconds(even));
        var dominantRate = 1 / (costliest.Cost!.Seconds(threads)
            + served.Where(m => m.Architecture != costliest.Architecture).Sum(m => m.Cost!.Seconds(1)));
        if (dominantRate < Margin * evenRate) return even;
        return architecture == costliest.Architecture ? threads : 1;
    }

    /// <summary>The architectures whose waiting passes <paramref name="home"/>'s loop may run when its own queue is empty:
    /// the other served ones on the same share of threads, so the loops together never take more threads than their
    /// shares, and every model's passes keep their count (and its outputs their bits). None where
    /// <paramref name="home"/> is not served.</summary>
    /// <param name="shares">Each served architecture's threads (<see cref="For(string, IEnumerable{ServedModel}, InferenceOptions, int)"/>).</param>
    public static IReadOnlyList<string> HelpedBy(string home, IReadOnlyDictionary<string, int> shares)
    {
        ArgumentNullException.ThrowIfNull(shares);
        return shares.TryGetValue(home, out var threads) ? shares.Where(s => s.Key != home && s.Value == threads).Select(s => s.Key).ToList() : [];
    }
}
