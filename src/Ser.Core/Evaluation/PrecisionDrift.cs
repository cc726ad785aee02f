namespace Ser.Core.Evaluation;

/// <summary>How far a lower-precision copy of a model strays from its float32 answers on the same clips.</summary>
/// <param name="Precision">The precision compared with float32, e.g. <c>BFloat16</c>.</param>
/// <param name="MeanAbsDiff">Mean |Δp| over every clip and label.</param>
/// <param name="MaxAbsDiff">Largest |Δp| of any clip and label.</param>
/// <param name="TopLabelAgreement">Share of clips whose top label is the same in both.</param>
/// <param name="Cpu">Where it was measured (the drift depends on the CPU's bf16 kernels).</param>
/// <param name="Kernels">The CPU's bf16 kernels: <c>amx</c>, <c>avx512_bf16</c> or <c>emulated</c>.</param>
public sealed record PrecisionDrift(string Precision, int Clips, double MeanAbsDiff, double MaxAbsDiff, double TopLabelAgreement,
    string Cpu, string Kernels)
{
    /// <exception cref="ArgumentException">The two lists differ in length, or a clip's probabilities in size.</exception>
    public static PrecisionDrift Measure(string precision, IReadOnlyList<float[]> float32, IReadOnlyList<float[]> other, string cpu, string kernels)
    {
        ArgumentNullException.ThrowIfNull(float32);
        ArgumentNullException.ThrowIfNull(other);
        if (float32.Count != other.Count) throw new ArgumentException($"{float32.Count} float32 results but {other.Count} {precision} results.", nameof(other));
        double sum = 0, max = 0;
        long values = 0;
        var agree = 0;
        for (var i = 0; i < float32.Count; i++)
        {
            var (a, b) = (float32[i], other[i]);
            if (a.Length != b.Length) throw new ArgumentException($"Clip {i}: {a.Length} against {b.Length} probabilities.", nameof(other));
            for (var k = 0; k < a.Length; k++)
            {
                var d = Math.Abs((double)a[k] - b[k]);
                sum += d;
                max = Math.Max(max, d);
            }
            values += a.Length;
            if (Array.IndexOf(a, a.Max()) == Array.IndexOf(b, b.Max())) agree++;
        }
        return new PrecisionDrift(precision, float32.Count, values == 0 ? 0 : sum / values, max,
            float32.Count == 0 ? 1 : (double)agree / float32.Count, cpu, kernels);
    }
}
