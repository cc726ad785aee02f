using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Ser.Core.Audio;

namespace Ser.Benchmarks;

/// <summary>Issue 12's memory targets against a real Ser process on its default limits, one fresh process per case
/// (peak RSS is per process): a /classify/batch of 10 × 600 s 8 kHz 8-bit clips (48 MB), and 8 concurrent maximal
/// uploads (50 MiB, 96 kHz 8-bit, 546 s each). Prints statuses, RSS after start-up and peak RSS.</summary>
internal static class UploadMemory
{
    public static async Task RunAsync(string apiDll, IReadOnlyDictionary<string, string> settings, int clients = 8, double seconds = 546)
    {
        var root = Directory.CreateTempSubdirectory("ser-memory-").FullName;
        try
        {
            LoadTest.SaveTinyModels(root);
            Console.WriteLine("| case | statuses | RSS ready | peak RSS | peak − ready |");
            Console.WriteLine("|---|---|---|---|---|");
            var long8k = Wav(8_000, 600);
            await CaseAsync(root, apiDll, settings, "batch of 10 × 600 s, 8 kHz 8-bit (48 MB)", async http =>
            {
                using var form = new MultipartFormDataContent();
                for (var i = 0; i < 10; i++) form.Add(new ByteArrayContent(long8k), "files", $"{i}.wav");
                using var response = await http.PostAsync(new Uri("/classify/batch", UriKind.Relative), form).ConfigureAwait(false);
                return [(int)response.StatusCode];
            }).ConfigureAwait(false);
            var maximal = Wav(96_000, Math.Min(seconds, (50 * 1024 * 1024 - 44) / 96_000.0));
            var name = string.Create(CultureInfo.InvariantCulture, $"{clients} concurrent uploads of {maximal.Length / 1048576.0:0.#} MiB, 96 kHz 8-bit ({maximal.Length / 96_000.0:0} s)");
            await CaseAsync(root, apiDll, settings, name, async http =>
                await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
                {
                    using var content = new ByteArrayContent(maximal);
                    content.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
                    using var response = await http.PostAsync(new Uri("/classify", UriKind.Relative), content).ConfigureAwait(false);
                    return (int)response.StatusCode;
                })).ConfigureAwait(false)).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task CaseAsync(string root, string apiDll, IReadOnlyDictionary<string, string> settings, string name, Func<HttpClient, Task<int[]>> run)
    {
        using var server = new SerProcess(apiDll, new Dictionary<string, string>
        {
            ["Ser__DataPath"] = Path.Combine(root, "data-" + Guid.NewGuid().ToString("N")), ["Ser__Models__wav2vec2__Path"] = Path.Combine(root, "w"),
            ["Ser__Models__resnet18__Path"] = Path.Combine(root, "r"), ["Ser__RateLimit__PermitsPerMinute"] = "0",
            ["Serilog__MinimumLevel__Default"] = "Warning",
        }.Concat(settings).ToDictionary());
        server.Http.Timeout = TimeSpan.FromMinutes(10);
        await server.WaitForAsync("/health/ready").ConfigureAwait(false);
        using (var warm = new ByteArrayContent(Wav(16_000, 2)))
        {
            warm.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
            (await server.Http.PostAsync(new Uri("/classify", UriKind.Relative), warm).ConfigureAwait(false)).EnsureSuccessStatusCode();
        }
        var ready = server.RssMiB();
        var statuses = await run(server.Http).ConfigureAwait(false);
        var peak = server.PeakRssMiB();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{g.Key}×{g.Count()}"))} | {ready} MiB | {peak} MiB | {peak - ready} MiB |"));
    }

    // An 8-bit tone at the given rate (8-bit keeps the bytes per second, and so the decode's amplification, at its worst).
    private static byte[] Wav(int rate, double seconds)
    {
        var frames = (int)(rate * seconds);
        var wav = new byte[44 + frames];
        using (var header = new MemoryStream(wav))
        using (var writer = new BinaryWriter(header))
        {
            writer.Write("RIFF"u8);
            writer.Write(36 + frames);
            writer.Write("WAVEfmt "u8);
            writer.Write(16);
            writer.Write((short)1);
            writer.Write((short)1);
            writer.Write(rate);
            writer.Write(rate);
            writer.Write((short)1);
            writer.Write((short)8);
            writer.Write("data"u8);
            writer.Write(frames);
        }
        for (var i = 0; i < frames; i++) wav[44 + i] = (byte)(128 + 60 * Math.Sin(2 * Math.PI * 220 * i / rate));
        return wav;
    }
}
