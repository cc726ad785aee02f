using Ser.Core.Audio;

namespace Ser.Fuzz;

/// <summary>Target (a): <see cref="WavDecoder.Decode"/> with small limits so each execution is fast.</summary>
public static class WavTarget
{
    public static readonly AudioOptions Limits = new() { MaxBytes = 1 << 20, MaxSeconds = 3 };

    private static readonly WavDecoder Decoder = new(Limits);

    /// <summary>Decodes <paramref name="input"/>; the outcome's name, or an exception for a finding.</summary>
    public static string Run(byte[] input)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        string outcome;
        try
        {
            Check(Decoder.Decode(input));
            outcome = "decoded";
        }
        catch (AudioFormatException e)
        {
            outcome = e.Error.ToString();
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (allocated > AllocationBound(input.Length))
            throw new FindingException($"Decoding {input.Length} bytes allocated {allocated} bytes.");
        return outcome;
    }

    /// <summary>What one decode may allocate: a multiple of the input (samples at twice the rate of 8-bit input take 8 bytes
    /// a byte; the resampler's taps up to ~270 bytes an input frame at 192 kHz), plus 1 MiB for the runtime's first calls.</summary>
    public static long AllocationBound(int inputBytes) => 512L * inputBytes + (1 << 20);

    /// <summary>What a caller relies on: finite samples (the models and the JSON writer take no NaN) and finite figures.</summary>
    public static void Check(DecodedAudio audio)
    {
        ArgumentNullException.ThrowIfNull(audio);
        if (audio.Samples.Length == 0) throw new FindingException("Decoded to no samples.");
        var bad = Array.FindIndex(audio.Samples, s => !float.IsFinite(s));
        if (bad >= 0) throw new FindingException($"Sample {bad} of {audio.Samples.Length} is {audio.Samples[bad]}.");
        var q = audio.Quality;
        if (!double.IsFinite(q.PeakDbfs) || !double.IsFinite(q.RmsDbfs) || !double.IsFinite(q.SnrDb)
            || !double.IsFinite(q.ClippedFraction) || !double.IsFinite(q.SilentFraction))
            throw new FindingException($"A quality figure is not finite: {q}.");
    }
}
