using Ser.Core.Audio;
using Ser.Tests;

namespace Ser.Core.Tests.Audio;

/// <summary>Replays the corpus fuzz/run.sh kept (afl++ and SharpFuzz over <see cref="WavDecoder.Decode"/>), and the
/// findings, each by the input that showed it.</summary>
public class WavDecoderFuzzTests
{
    // The limits the fuzz target ran with (fuzz/Ser.Fuzz/WavTarget.cs), so every kept input takes the same paths here.
    private static readonly WavDecoder Decoder = new(new AudioOptions { MaxBytes = 1 << 20, MaxSeconds = 3 });

    private static string Corpus => Path.Combine(TestPaths.RepositoryRoot, "tests", "Ser.Core.Tests", "Audio", "FuzzCorpus");

    [Fact]
    public void Every_corpus_input_decodes_or_is_refused_with_an_audio_format_exception_within_a_bound_on_work()
    {
        var files = Directory.GetFiles(Corpus);
        Assert.True(files.Length >= 20, $"Only {files.Length} files in {Corpus}.");
        var failures = new List<string>();
        foreach (var file in files)
        {
            var wav = File.ReadAllBytes(file);
            try
            {
                DecodeOrRefuse(wav); // the first decode of a path runs static constructors; measure the second
                var allocated = DecodeOrRefuse(wav);
                // Samples at twice the rate of 8-bit input take 8 bytes a byte; resampler taps up to ~270 an input frame.
                if (allocated > 512L * wav.Length + (1 << 20)) failures.Add($"{Path.GetFileName(file)}: {wav.Length} bytes allocated {allocated}");
            }
            catch (Exception e) when (e is not AudioFormatException)
            {
                failures.Add($"{Path.GetFileName(file)}: {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void Finding_float64_past_full_scale_decodes_to_finite_samples()
    {
        // A 48 kHz float64 WAV with samples near 1e300: the channel mean overflowed float to inf, the resampler made NaN.
        var audio = Decoder.Decode(File.ReadAllBytes(Path.Combine(Corpus, "finding-float64-past-full-scale-48k")));

        Assert.All(audio.Samples, s => Assert.True(float.IsFinite(s)));
        Assert.True(double.IsFinite(audio.Quality.RmsDbfs));
    }

    [Theory]
    [InlineData(3, 32, 44_100, 3e38)]
    [InlineData(3, 64, 16_000, -1e300)]
    [InlineData(3, 64, 48_000, 1e40)]
    public void Float_samples_past_full_scale_are_clipped_to_it(ushort tag, int bits, int rate, double value)
    {
        var samples = WavBuilder.Sine(440, rate, 0.1);
        for (var i = 0; i < samples.Length; i += 3) samples[i] = value;

        var audio = Decoder.Decode(new WavBuilder { FormatTag = tag, Bits = bits, SampleRate = rate, Channels = 2 }.Build(samples));

        Assert.All(audio.Samples, s => Assert.True(float.IsFinite(s)));
        Assert.Contains(AudioWarnings.Clipped, audio.Quality.Warnings);
        Assert.Equal(0, audio.Quality.PeakDbfs, 3);
    }

    [Theory]
    [InlineData("finding-mulaw-8001hz-92-bytes")]
    public void Finding_a_short_clip_at_an_odd_rate_costs_little(string name)
    {
        // At 8,001 Hz the resampler has 4,096 phases; building all of them cost 1.2 MB for 48 samples.
        var wav = File.ReadAllBytes(Path.Combine(Corpus, name));
        Assert.True(DecodeOrRefuse(wav) < 256 << 10);
    }

    [Theory]
    [InlineData(191_999)]
    [InlineData(8_001)]
    [InlineData(44_101)]
    public void A_short_clip_at_an_odd_rate_builds_only_the_resampler_taps_it_needs(int rate)
    {
        // Before: 13 MB of taps (and a third of a second) for a 92-byte WAV at 191,999 Hz.
        var wav = new WavBuilder { SampleRate = rate, Bits = 8 }.Build(WavBuilder.Sine(440, rate, 48.0 / rate));
        DecodeOrRefuse(wav);

        var allocated = DecodeOrRefuse(wav);

        Assert.True(allocated < 256 << 10, $"{wav.Length} bytes at {rate} Hz allocated {allocated} bytes.");
    }

    private static long DecodeOrRefuse(byte[] wav)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            var audio = Decoder.Decode(wav);
            Assert.NotEmpty(audio.Samples);
            Assert.All(audio.Samples, s => Assert.True(float.IsFinite(s)));
            Assert.True(double.IsFinite(audio.Quality.PeakDbfs) && double.IsFinite(audio.Quality.RmsDbfs) && double.IsFinite(audio.Quality.SnrDb));
        }
        catch (AudioFormatException)
        {
        }
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
