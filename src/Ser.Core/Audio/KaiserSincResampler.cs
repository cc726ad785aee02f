using System.Numerics.Tensors;

namespace Ser.Core.Audio;

/// <summary>Polyphase resampler with a Kaiser-windowed sinc low-pass (β 8.6, 32 zero crossings per side,
/// cutoff 0.475 × the lower of the two rates): a 7 kHz tone at 44.1 kHz passes within 1 dB, a 12 kHz one
/// is attenuated far beyond 40 dB. NAudio's WDL resampler and NWaves' defaults miss those bars.</summary>
public sealed class KaiserSincResampler
{
    private const double Beta = 8.6;
    private const int ZeroCrossings = 32;
    private const double CutoffFraction = 0.475;
    // Above this many phases the fractional delay is rounded to 1/MaxPhases of an input sample
    // (error below -70 dB for audible tones); rates with a small ratio are exact.
    private const int MaxPhases = 4096;

    private readonly int _up;
    private readonly int _down;
    private readonly int _phases;
    private readonly int _half;
    private readonly double _cutoff;
    // Built on first use: a short clip at an odd rate needs a few of up to 4,096 phases (13 MB of taps at 192 kHz).
    // Two threads may build the same phase at once; both build equal taps.
    private readonly float[]?[] _kernels;

    public KaiserSincResampler(int inputRate, int outputRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputRate);
        var g = Gcd(inputRate, outputRate);
        (_up, _down) = (outputRate / g, inputRate / g);
        InputRate = inputRate;
        OutputRate = outputRate;
        _phases = Math.Min(_up, MaxPhases);
        // Cutoff in cycles per input sample, and the kernel half-length in input samples.
        _cutoff = CutoffFraction * Math.Min(inputRate, outputRate) / inputRate;
        _half = (int)Math.Ceiling(ZeroCrossings / (2 * _cutoff));
        _kernels = new float[_phases][];
    }

    public int InputRate { get; }

    public int OutputRate { get; }

    /// <summary>Number of output samples for <paramref name="inputLength"/> input samples.</summary>
    public long OutputLength(long inputLength) => (inputLength * _up + _down - 1) / _down;

    public float[] Process(ReadOnlySpan<float> input)
    {
        if (_up == _down) return input.ToArray();
        // Zero padding on both sides keeps the inner loop free of bounds checks.
        var padded = new float[input.Length + 2 * _half + 2];
        input.CopyTo(padded.AsSpan(_half));
        var output = new float[OutputLength(input.Length)];
        for (long n = 0; n < output.Length; n++)
        {
            var position = n * _down;
            var index = position / _up;
            var phase = (int)((position % _up) * _phases / _up);
            // Taps cover input samples index-half+1 .. index+half; padded index = input index + _half.
            var kernel = _kernels[phase] ??= Kernel((double)phase / _phases, _cutoff);
            output[n] = TensorPrimitives.Dot(kernel, padded.AsSpan((int)(index + 1), 2 * _half));
        }
        return output;
    }

    // Taps for an output instant `frac` input samples after sample `index`, normalised to unit DC gain.
    private float[] Kernel(double frac, double cutoff)
    {
        var taps = new float[2 * _half];
        double sum = 0;
        var kaiserNorm = BesselI0(Beta);
        for (var k = 0; k < taps.Length; k++)
        {
            var t = k - _half + 1 - frac;
            var x = t / _half;
            var window = Math.Abs(x) >= 1 ? 0 : BesselI0(Beta * Math.Sqrt(1 - x * x)) / kaiserNorm;
            var arg = 2 * cutoff * t;
            var sinc = Math.Abs(arg) < 1e-12 ? 1 : Math.Sin(Math.PI * arg) / (Math.PI * arg);
            var h = 2 * cutoff * sinc * window;
            taps[k] = (float)h;
            sum += h;
        }
        for (var k = 0; k < taps.Length; k++) taps[k] = (float)(taps[k] / sum);
        return taps;
    }

    private static double BesselI0(double x)
    {
        double sum = 1, term = 1, half = x / 2;
        for (var k = 1; k < 64 && term > 1e-12 * sum; k++)
        {
            term *= half / k * (half / k);
            sum += term;
        }
        return sum;
    }

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
