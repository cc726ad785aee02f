namespace Ser.Core.Evaluation;

/// <summary>McNemar's test between two models on the same clips, exact (two-sided binomial on the discordant pairs).</summary>
/// <param name="B">Clips only the first model got right.</param>
/// <param name="C">Clips only the second model got right.</param>
public sealed record McNemar(int B, int C, double PValue)
{
    /// <summary>The test on the clips both prediction lists score (matched by clip id).</summary>
    public static McNemar OnSharedClips(IReadOnlyList<ClipPrediction> first, IReadOnlyList<ClipPrediction> second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var other = second.ToDictionary(p => p.Id, StringComparer.Ordinal);
        var pairs = first.Where(p => other.ContainsKey(p.Id)).ToArray();
        return Test(pairs.Select(p => p.Correct).ToArray(), pairs.Select(p => other[p.Id].Correct).ToArray());
    }

    public static McNemar Test(IReadOnlyList<bool> firstCorrect, IReadOnlyList<bool> secondCorrect)
    {
        ArgumentNullException.ThrowIfNull(firstCorrect);
        ArgumentNullException.ThrowIfNull(secondCorrect);
        if (firstCorrect.Count != secondCorrect.Count) throw new ArgumentException("Both models must be scored on the same clips.");
        int b = 0, c = 0;
        for (var i = 0; i < firstCorrect.Count; i++)
        {
            if (firstCorrect[i] && !secondCorrect[i]) b++;
            if (!firstCorrect[i] && secondCorrect[i]) c++;
        }
        return new McNemar(b, c, ExactPValue(b, c));
    }

    // p = min(1, 2 · P(X ≤ min(b, c))) for X ~ Binomial(b + c, 1/2), summed in log space.
    private static double ExactPValue(int b, int c)
    {
        var n = b + c;
        if (n == 0) return 1;
        var k = Math.Min(b, c);
        double tail = 0;
        for (var i = 0; i <= k; i++) tail += Math.Exp(LogChoose(n, i) - n * Math.Log(2));
        return Math.Min(1, 2 * tail);
    }

    private static double LogChoose(int n, int k)
    {
        double sum = 0;
        for (var i = 1; i <= k; i++) sum += Math.Log(n - k + i) - Math.Log(i);
        return sum;
    }
}
