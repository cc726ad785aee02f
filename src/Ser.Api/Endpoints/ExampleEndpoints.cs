using System.Buffers.Binary;

namespace Ser.Api.Endpoints;

/// <summary><c>GET /examples/tone.wav</c>: a tiny valid WAV (0.5 s, 16 kHz, 16-bit mono) to try /classify from Swagger UI.</summary>
public static class ExampleEndpoints
{
    private static readonly byte[] Tone = Build();

    public static IEndpointRouteBuilder MapExampleEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/examples/tone.wav", () => TypedResults.File(Tone, "audio/wav", "tone.wav")).WithName("ExampleWav").WithTags("Classification")
            .WithSummary("A tiny example WAV (0.5 s, 16 kHz, 16-bit mono, a 220 Hz tone with a vibrato) to send to /classify.");
        return app;
    }

    private static byte[] Build()
    {
        const int rate = 16_000, samples = rate / 2;
        var wav = new byte[44 + 2 * samples];
        "RIFF"u8.CopyTo(wav);
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(4), (uint)(36 + 2 * samples));
        "WAVEfmt "u8.CopyTo(wav.AsSpan(8));
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(16), 16);
        BinaryPrimitives.WriteUInt16LittleEndian(wav.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(wav.AsSpan(22), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(24), rate);
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(28), rate * 2);
        BinaryPrimitives.WriteUInt16LittleEndian(wav.AsSpan(32), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(wav.AsSpan(34), 16);
        "data"u8.CopyTo(wav.AsSpan(36));
        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(40), 2 * samples);
        double phase = 0;
        for (var i = 0; i < samples; i++)
        {
            phase += 2 * Math.PI * 220 * (1 + 0.02 * Math.Sin(2 * Math.PI * 5 * i / rate)) / rate;
            BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(44 + 2 * i), (short)(9000 * Math.Sin(phase)));
        }
        return wav;
    }
}
