namespace Ser.Core.Features;

/// <summary>Zero-mean, unit-variance input as Hugging Face's Wav2Vec2FeatureExtractor
/// (<c>do_normalize</c>): (x − mean) / sqrt(var + 1e-7), population variance over the clip's own samples.</summary>
public static class Wav2Vec2InputNormalizer
{
    public const double Epsilon = 1e-7;

    public static float[] Normalize(ReadOnlySpan<float> samples)
    {
        var output = new float[samples.Length];
        Normalize(samples, output);
        return output;
    }

    /// <summary>Normalises <paramref name="samples"/> into <paramref name="destination"/> (same length).</summary>
    public static void Normalize(ReadOnlySpan<float> samples, Span<float> destination)
    {
        if (destination.Length < samples.Length) throw new ArgumentException("Destination is shorter than the input.", nameof(destination));
        if (samples.IsEmpty) return;
        double sum = 0;
        foreach (var s in samples) sum += s;
        var mean = sum / samples.Length;
        double squares = 0;
        foreach (var s in samples) squares += (s - mean) * (s - mean);
        var scale = 1.0 / Math.Sqrt(squares / samples.Length + Epsilon);
        for (var i = 0; i < samples.Length; i++) destination[i] = (float)((samples[i] - mean) * scale);
    }
}
