namespace Ser.Core.Audio;

/// <summary>Energy-based voice-activity detection, so long recordings are not scored on their silences. Frames of 25 ms
/// (hop 10 ms) louder than max(loudest frame − <see cref="RangeDb"/>, <see cref="FloorDbfs"/>) are speech; gaps shorter
/// than <see cref="BridgeSeconds"/> are bridged, regions shorter than <see cref="MinSeconds"/> dropped, and each kept
/// region widened by <see cref="PadSeconds"/> on both sides (onsets and decays are quiet). It tells loud from quiet, not
/// speech from music or steady noise: a noisy recording is mostly "speech", which is scored as before.</summary>
public static class VoiceActivity
{
    public const double RangeDb = 35;
    public const double FloorDbfs = -55;
    public const double BridgeSeconds = 0.3;
    public const double MinSeconds = 0.1;
    public const double PadSeconds = 0.1;

    /// <summary>The speech regions of <paramref name="samples"/>, in order and disjoint; empty when nothing is loud enough.</summary>
    public static IReadOnlyList<SpeechRegion> Detect(ReadOnlySpan<float> samples, int sampleRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        var frame = Math.Max(1, sampleRate * 25 / 1000);
        var hop = Math.Max(1, sampleRate / 100);
        if (samples.Length < frame) return [];
        var count = 1 + (samples.Length - frame) / hop;
        var db = new double[count];
        for (var f = 0; f < count; f++)
        {
            double energy = 0;
            foreach (var s in samples.Slice(f * hop, frame)) energy += (double)s * s;
            db[f] = 10 * Math.Log10(energy / frame + 1e-12);
        }
        var threshold = Math.Max(db.Max() - RangeDb, FloorDbfs);
        var regions = new List<SpeechRegion>();
        for (var f = 0; f < count;)
        {
            if (db[f] <= threshold)
            {
                f++;
                continue;
            }
            var first = f;
            while (f < count && db[f] > threshold) f++;
            regions.Add(new SpeechRegion(first * hop, (f - 1) * hop + frame - first * hop));
        }
        var bridge = (int)(BridgeSeconds * sampleRate);
        var merged = new List<SpeechRegion>();
        foreach (var r in regions)
        {
            if (merged.Count > 0 && r.Start - merged[^1].End < bridge) merged[^1] = merged[^1] with { Length = r.End - merged[^1].Start };
            else merged.Add(r);
        }
        var pad = (int)(PadSeconds * sampleRate);
        var kept = new List<SpeechRegion>();
        foreach (var r in merged.Where(r => r.Length >= MinSeconds * sampleRate))
        {
            var start = Math.Max(0, r.Start - pad);
            var end = Math.Min(samples.Length, r.End + pad);
            // Padding may make neighbours touch: join them rather than overlap.
            if (kept.Count > 0 && start <= kept[^1].End) kept[^1] = kept[^1] with { Length = end - kept[^1].Start };
            else kept.Add(new SpeechRegion(start, end - start));
        }
        return kept;
    }
}
