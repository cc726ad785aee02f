using Microsoft.Extensions.Options;

namespace Ser.Core.Audio;

/// <summary>Decodes WAV uploads (PCM 8–32, float 32/64, extensible, µ-law, A-law; 1–8 channels; 8–192 kHz)
/// into <see cref="DecodedAudio"/>. Every bad input raises <see cref="AudioFormatException"/>.</summary>
public sealed class WavDecoder
{
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

    /// <summary>Decodes a whole WAV held in memory.</summary>
    public DecodedAudio Decode(ReadOnlySpan<byte> wav)
    {
        if (wav.Length > _options.MaxBytes) throw TooLarge();
        var layout = WavLayout.Parse(wav);
        var seconds = (double)layout.Frames / layout.SampleRate;
        if (seconds > _options.MaxSeconds)
            throw new AudioFormatException(AudioError.TooLong,
                $"The audio lasts {seconds:0.##} s; the limit is {_options.MaxSeconds:0.##} s.");

        var mono = SampleDecoder.DecodeMono(wav, layout);
        var quality = AudioQualityAnalyzer.Analyze(mono, layout.SampleRate);
        var samples = layout.SampleRate == AudioOptions.ModelSampleRate
            ? mono
            : new KaiserSincResampler(layout.SampleRate, AudioOptions.ModelSampleRate).Process(mono);
        return new DecodedAudio(samples, layout.SampleRate, layout.Channels, layout.Encoding, quality);
    }

    private AudioFormatException TooLarge() =>
        new(AudioError.TooLarge, $"The audio is larger than the limit of {_options.MaxBytes} bytes.");
}
