using Ser.Core.Audio;

namespace Ser.Api.Classification;

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
        const int rate = 16_000;
        var samples = new float[rate / 2];
        double phase = 0;
        for (var i = 0; i < samples.Length; i++)
        {
            phase += 2 * Math.PI * 220 * (1 + 0.02 * Math.Sin(2 * Math.PI * 5 * i / rate)) / rate;
            samples[i] = (float)(0.27 * Math.Sin(phase));
        }
        return WavWriter.Pcm16(samples, rate);
    }
}
