using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Ser.Core.Audio;
using Ser.Core.Data;
using Ser.Core.Models;
using Ser.Core.Models.ResNet;
using Ser.Core.Models.Wav2Vec2;
using static TorchSharp.torch;

namespace Ser.Benchmarks;

/// <summary>N concurrent /classify clients against a real Ser process serving the tiny presets, for a fixed time:
/// throughput, p50/p99 latency, error statuses (only 503 allowed) and the server's peak RSS; and, in the same run,
/// the raw batched throughput of the same two models in-process (the serving-overhead ratio).</summary>
internal static class LoadTest
{
    public static async Task RunAsync(string apiDll, int clients, int seconds)
    {
        var root = Directory.CreateTempSubdirectory("ser-load-").FullName;
        try
        {
            SaveTinyModels(root);
            var wav = Tone(2.5);
            var raw = RawThroughput(root, new WavDecoder().Decode(wav).Samples, seconds);

            using var server = new SerProcess(apiDll, new Dictionary<string, string>
            {
                ["Ser__DataPath"] = Path.Combine(root, "data"), ["Ser__Models__wav2vec2__Path"] = Path.Combine(root, "w"),
                ["Ser__Models__resnet18__Path"] = Path.Combine(root, "r"), ["Ser__RateLimit__PermitsPerMinute"] = "0",
                ["Serilog__MinimumLevel__Default"] = "Warning",
            });
            var http = server.Http;
            await server.WaitForAsync("/health/ready").ConfigureAwait(false);
            var latencies = new List<double>();
            var statuses = new Dictionary<int, int>();
            var stop = DateTime.UtcNow.AddSeconds(seconds);
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
            {
                while (DateTime.UtcNow < stop)
                {
                    var content = new ByteArrayContent(wav);
                    content.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
                    var started = Stopwatch.GetTimestamp();
                    using var response = await http.PostAsync(new Uri("/classify", UriKind.Relative), content).ConfigureAwait(false);
                    var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    lock (latencies)
                    {
                        latencies.Add(ms);
                        statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;
                    }
                }
            })).ConfigureAwait(false);
            var elapsed = watch.Elapsed.TotalSeconds;
            var peak = server.PeakRssMiB();
            latencies.Sort();
            var ok = statuses.GetValueOrDefault(200);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {clients} clients, {seconds} s, 2.5 s clips, both tiny models | {ok / elapsed:0.0} req/s | p50 {latencies[latencies.Count / 2]:0} ms | p99 {latencies[(int)(latencies.Count * 0.99)]:0} ms | statuses {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))} | server peak RSS {peak} MiB |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"raw batched model throughput (both models, batch 16, in-process): {raw:0.0} clips/s → serving at {ok / elapsed / raw:P0} of it"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Untrained tiny presets as model folders: <c>root/w</c> (wav2vec2) and <c>root/r</c> (resnet18).</summary>
    public static void SaveTinyModels(string root)
    {
        manual_seed(3);
        using (var w = new Wav2Vec2ForSequenceClassification(ModelPresets.Wav2Vec2Tiny.Wav2Vec2!)) Wav2Vec2Checkpoint.Save(w, Path.Combine(root, "w"));
        var spec = ModelPresets.ResNet18Tiny.ResNet!;
        using var r = new ResNet18(6, spec.InChannels, spec.BaseWidth);
        ResNetModelFolder.Save(r, new ResNetModelFolder.Description("resnet18-tiny", spec.BaseWidth, spec.InChannels, spec.FrontEnd, spec.WindowSeconds,
            EmotionLabels.All), Path.Combine(root, "r"));
    }

    private static double RawThroughput(string root, float[] clip, int seconds)
    {
        using var w = EmotionClassifierFactory.Load("wav2vec2", Path.Combine(root, "w"));
        using var r = EmotionClassifierFactory.Load("resnet18", Path.Combine(root, "r"));
        var batch = Enumerable.Repeat(clip, 16).ToArray();
        w.PredictBatch(batch);
        r.PredictBatch(batch);
        var watch = Stopwatch.StartNew();
        var clips = 0;
        while (watch.Elapsed.TotalSeconds < Math.Min(seconds, 10))
        {
            w.PredictBatch(batch);
            r.PredictBatch(batch);
            clips += batch.Length;
        }
        return clips / watch.Elapsed.TotalSeconds;
    }

    private static byte[] Tone(double seconds) =>
        WavWriter.Pcm16(Enumerable.Range(0, (int)(seconds * 16_000)).Select(i => (float)(0.25 * Math.Sin(2 * Math.PI * 220 * i / 16_000))).ToArray(), 16_000);
}
