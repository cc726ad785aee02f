using Microsoft.Extensions.Options;

namespace Ser.Core.Audio;

/// <summary>Decodes WAV uploads (PCM 8–32, float 32/64, extensible, µ-law, A-law; 1–8 channels; 8–192 kHz)
/// into <see cref="DecodedAudio"/>. Every bad input raises <see cref="AudioFormatException"/>.</summary>
/// <remarks>Decodes, measures and resamples in blocks: besides the WAV bytes, only the 16 kHz result and one block
/// are held, whatever the source rate or sample size (a 96 kHz 8-bit upload once took 16 bytes of floats per byte).</remarks>
public sealed class WavDecoder
{
    private const int BlockFrames = 16_384;

    private readonly AudioOptions _options;

    public WavDecoder(IOptions<AudioOptions> options) => _options = options.Value;

    public WavDecoder(AudioOptions? options = null) => _options = options ?? new AudioOptions();

    public AudioOptions Options => _options;

    /// <summary>Reads at most <see cref="AudioOptions.MaxBytes"/> from <paramref name="stream"/> and decodes it.</summary>
    public async Task<DecodedAudio> DecodeAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        var chunk = new byte[81_920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > _options.MaxBytes) throw TooLarge();
            buffer.Write(chunk, 0, read);
        }
        return Decode(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>What decoding <paramref name="wav"/> would give and cost, from its header alone; applies the same
    /// limits as <see cref="Decode"/>.</summary>
    /// <exception cref="AudioFormatException">The bytes are not a usable WAV, or over a limit.</exception>
    public WavProbe Probe(ReadOnlySpan<byte> wav)
    {
        if (wav.Length > _options.MaxBytes) throw TooLarge();
        var layout = WavLayout.Parse(wav);
        var seconds = (double)layout.Frames / layout.SampleRate;
        if (seconds > _options.MaxSeconds)
            throw new AudioFormatException(AudioError.TooLong,
                $"The audio lasts {seconds:0.##} s; the limit is {_options.MaxSeconds:0.##} s.");
        var samples = layout.SampleRate == AudioOptions.ModelSampleRate
            ? layout.Frames
            : KaiserSincResampler.For(layout.SampleRate, AudioOptions.ModelSampleRate).OutputLength(layout.Frames);
        return new WavProbe(layout, seconds, samples);
    }

    /// <summary>Decodes a whole WAV held in memory.</summary>
    public DecodedAudio Decode(ReadOnlySpan<byte> wav)
    {
        var probe = Probe(wav);
        var layout = probe.Layout;
        var samples = new float[probe.ModelSamples];
        var quality = new AudioQualityAnalyzer(layout.SampleRate);
        var resampler = layout.SampleRate == AudioOptions.ModelSampleRate
            ? null
            : KaiserSincResampler.For(layout.SampleRate, AudioOptions.ModelSampleRate).Open(samples);
        var block = new float[(int)Math.Min(BlockFrames, layout.Frames)];
        for (long first = 0; first < layout.Frames; first += block.Length)
        {
            var span = block.AsSpan(0, (int)Math.Min(block.Length, layout.Frames - first));
            SampleDecoder.DecodeMono(wav, layout, first, span);
            quality.Add(span);
            if (resampler is null) span.CopyTo(samples.AsSpan((int)first));
            else resampler.Write(span);
        }
        resampler?.Complete();
        return new DecodedAudio(samples, layout.SampleRate, layout.Channels, layout.Encoding, quality.Result());
    }

    private AudioFormatException TooLarge() =>
        new(AudioError.TooLarge, $"The audio is larger than the limit of {_options.MaxBytes} bytes.");
}
