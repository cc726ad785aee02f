namespace Ser.Core.Evaluation;

/// <summary>Selective classification: how accuracy rises as the least confident clips are left unanswered, and the
/// confidence threshold that meets a target coverage or risk. Built from (confidence, correct) pairs.</summary>
public sealed class RiskCoverage
{
    private readonly double[] _confidence; // descending
    private readonly int[] _correctPrefix;  // correct answers among the k most confident, k = 0..N

    public RiskCoverage(IEnumerable<(double Confidence, bool Correct)> clips)
    {
        ArgumentNullException.ThrowIfNull(clips);
        // Ties by correctness last, so a tie never flatters the curve.
        var sorted = clips.OrderByDescending(c => c.Confidence).ThenBy(c => c.Correct).ToArray();
        _confidence = sorted.Select(c => c.Confidence).ToArray();
        _correctPrefix = new int[sorted.Length + 1];
        for (var k = 0; k < sorted.Length; k++) _correctPrefix[k + 1] = _correctPrefix[k] + (sorted[k].Correct ? 1 : 0);
    }

    /// <summary>From a model's probabilities (top label's probability as confidence) and the true labels.</summary>
    public static RiskCoverage Of(IReadOnlyList<float[]> probabilities, IReadOnlyList<int> truth)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(truth);
        return new RiskCoverage(probabilities.Select((p, i) =>
        {
            var top = Array.IndexOf(p, p.Max());
            return ((double)p[top], top == truth[i]);
        }));
    }

    public int Count => _confidence.Length;

    /// <summary>The curve at coverage 1/steps, 2/steps, …, 1.</summary>
    public IReadOnlyList<RiskCoveragePoint> Curve(int steps = 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        if (Count == 0) return [];
        return Enumerable.Range(1, steps).Select(s => Top(Math.Max(1, (int)Math.Ceiling(Count * (double)s / steps - 1e-9)))).ToArray();
    }

    /// <summary>Area under the risk–coverage curve: the mean risk over every coverage k/N (lower is better).</summary>
    public double Aurc => Count == 0 ? 0 : Enumerable.Range(1, Count).Average(k => 1 - (double)_correctPrefix[k] / k);

    /// <summary>The threshold that answers at least <paramref name="coverage"/> of the clips.</summary>
    public RiskCoveragePoint ForCoverage(double coverage)
    {
        if (!(coverage is > 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(coverage), coverage, "Coverage must be in (0, 1].");
        EnsureAny();
        return Top(Math.Max(1, (int)Math.Ceiling(Count * coverage - 1e-9)));
    }

    /// <summary>The threshold answering the most clips whose error rate stays at or below <paramref name="risk"/>;
    /// coverage 0 (a threshold above every confidence) when even the most confident clip is wrong.</summary>
    public RiskCoveragePoint ForRisk(double risk)
    {
        if (!(risk is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(risk), risk, "Risk must be in [0, 1).");
        EnsureAny();
        for (var k = Count; k >= 1; k--)
            if (1 - (double)_correctPrefix[k] / k <= risk + 1e-12) return Top(k);
        return new RiskCoveragePoint(0, 0, Math.BitIncrement(_confidence[0]));
    }

    private RiskCoveragePoint Top(int k) => new(Math.Round((double)k / Count, 6), (double)_correctPrefix[k] / k, _confidence[k - 1]);

    private void EnsureAny()
    {
        if (Count == 0) throw new InvalidOperationException("No clips to choose a threshold from.");
    }
}
