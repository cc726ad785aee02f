using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Ser.Core.Audio;
using Ser.Core.Data;
using Ser.Core.Models;
using Ser.Core.Models.ResNet;
using Ser.Core.Models.Wav2Vec2;
using Ser.Core.Runtime;
using static TorchSharp.torch;

namespace Ser.Benchmarks;

/// <summary>N concurrent /classify clients against a real Ser process serving the tiny presets, for a fixed time:
/// throughput, p50/p99 latency, error statuses (only 503 allowed), the server's CPU per request, clips per forward pass
/// and peak RSS; and, alternating with it, the raw batched throughput of the same two models in-process (the
/// serving-overhead ratio).</summary>
internal static class LoadTest
{
    /// <summary>Alternates <paramref name="rounds"/> times: the models' raw batched throughput in this process, then
    /// <paramref name="clients"/> clients against the service for <paramref name="seconds"/>; the ratio of each pair and
    /// their median (machines drift between minutes; pairs minutes apart would compare different machines). Many short
    /// rounds rather than a few long ones: on a drifting VM single rounds ranged 74–111 %, and a median of 3 moved by 14 points.</summary>
    public static async Task RunAsync(string apiDll, IReadOnlyDictionary<string, string> settings, int clients, int seconds, int rounds)
    {
        var root = Directory.CreateTempSubdirectory("ser-load-").FullName;
        try
        {
            SaveTinyModels(root);
            var wav = Tone(2.5);
            var clip = new WavDecoder().Decode(wav).Samples;
            var environment = new Dictionary<string, string>
            {
                ["Ser__DataPath"] = Path.Combine(root, "data"), ["Ser__Models__wav2vec2__Path"] = Path.Combine(root, "w"),
                ["Ser__Models__resnet18__Path"] = Path.Combine(root, "r"), ["Ser__RateLimit__PermitsPerMinute"] = "0",
                ["Serilog__MinimumLevel__Default"] = "Warning",
                // As docker-compose.yml's api runs: serving only, two glibc heaps (Ser.Core.Runtime.MallocArenas).
                ["Ser__Role"] = "api", [MallocArenas.Variable] = MallocArenas.ServingOnly.ToString(CultureInfo.InvariantCulture),
            };
            foreach (var (key, value) in settings) environment[key] = value;
            using var server = new SerProcess(apiDll, environment);
            await server.WaitForAsync("/health/ready").ConfigureAwait(false);
            using var w = EmotionClassifierFactory.Load("wav2vec2", Path.Combine(root, "w"));
            using var r = EmotionClassifierFactory.Load("resnet18", Path.Combine(root, "r"));
            Console.WriteLine($"| round | raw batched, in-process (batch {RawBatch}, best schedule) | served, {clients} clients | served / raw | p50 | p99 | statuses | server CPU per request | client CPU per request | CPU busy (both processes) | clips per forward pass |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
            await ServeAsync(server, wav, clients, Math.Min(seconds, 5)).ConfigureAwait(false); // warm-up: JIT tiering, pools, kernels
            var ratios = new List<double>();
            for (var round = 1; round <= rounds; round++)
            {
                await server.WaitUntilIdleAsync().ConfigureAwait(false); // its GC and tiering after a load would slow the raw phase
                var (raw, schedule) = RawThroughput(w, r, clip, Math.Max(3, seconds / 2));
                var served = await ServeAsync(server, wav, clients, seconds).ConfigureAwait(false);
                ratios.Add(served.PerSecond / raw);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {round} | {raw:0.0} clips/s ({schedule}) | {served.PerSecond:0.0} req/s | {served.PerSecond / raw:P0} | {served.P50:0} ms | {served.P99:0} ms | {served.Statuses} | {served.CpuMsPerRequest:0.0} ms | {served.ClientCpuMsPerRequest:0.0} ms | {served.Busy:P0} | {served.WindowsPerPass:0.0} |"));
            }
            var (low, median, high) = Timing.Quartiles([.. ratios]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"serving at {median:P0} of the raw batched throughput (median of {rounds} rounds, quartiles {low:P0}–{high:P0}); server peak RSS {server.PeakRssMiB()} MiB"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private const int RawBatch = 16;

    // Busy: both processes' CPU time over the wall time of all cores. The clients run in this process, on the same cores
    // as the service (what the raw baseline does not pay), so near 100 % the clients' share bounds the ratio.
    private sealed record Served(double PerSecond, double P50, double P99, string Statuses, double CpuMsPerRequest, double ClientCpuMsPerRequest,
        double Busy, double WindowsPerPass);

    private static async Task<Served> ServeAsync(SerProcess server, byte[] wav, int clients, int seconds)
    {
        var http = server.Http;
        var latencies = new List<double>();
        var statuses = new Dictionary<int, int>();
        var (passes0, windows0) = await BatchTotalsAsync(http).ConfigureAwait(false);
        var cpu0 = server.CpuTime();
        var clientCpu0 = Environment.CpuUsage.TotalTime;
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
        var cpu = (server.CpuTime() - cpu0).TotalMilliseconds;
        var clientCpu = (Environment.CpuUsage.TotalTime - clientCpu0).TotalMilliseconds;
        var (passes1, windows1) = await BatchTotalsAsync(http).ConfigureAwait(false);
        latencies.Sort();
        var ok = statuses.GetValueOrDefault(200);
        return new Served(ok / elapsed, latencies[latencies.Count / 2], latencies[(int)(latencies.Count * 0.99)],
            string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}")), cpu / Math.Max(1, latencies.Count),
            clientCpu / Math.Max(1, latencies.Count), (cpu + clientCpu) / (elapsed * 1000 * Environment.ProcessorCount),
            (windows1 - windows0) / Math.Max(1, passes1 - passes0));
    }

    // The service's own count of forward passes and the windows they held (/metrics), both models together.
    private static async Task<(double Passes, double Windows)> BatchTotalsAsync(HttpClient http)
    {
        var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)).ConfigureAwait(false);
        double Sum(string name) => text.Split('\n').Where(l => l.StartsWith(name, StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        return (Sum("ser_batch_size_windows_count"), Sum("ser_batch_size_windows_sum"));
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

    // The better of two in-process schedules on batches of RawBatch: the models one after the other, and both at once on
    // two threads (as the service's per-model workers run them), each batch finished by both before the next.
    private static (double ClipsPerSecond, string Schedule) RawThroughput(IEmotionClassifier w, IEmotionClassifier r, float[] clip, int seconds)
    {
        var batch = Enumerable.Repeat(clip, RawBatch).ToArray();
        w.PredictBatch(batch);
        r.PredictBatch(batch);
        double Measure(Action pass)
        {
            var watch = Stopwatch.StartNew();
            var clips = 0;
            while (watch.Elapsed.TotalSeconds < seconds / 2.0)
            {
                pass();
                clips += batch.Length;
            }
            return clips / watch.Elapsed.TotalSeconds;
        }
        var sequential = Measure(() =>
        {
            w.PredictBatch(batch);
            r.PredictBatch(batch);
        });
        var concurrent = Measure(() => Parallel.Invoke(() => w.PredictBatch(batch), () => r.PredictBatch(batch)));
        return sequential >= concurrent
            ? (sequential, string.Create(CultureInfo.InvariantCulture, $"one after the other; at once {concurrent:0}"))
            : (concurrent, string.Create(CultureInfo.InvariantCulture, $"at once; one after the other {sequential:0}"));
    }

    private static byte[] Tone(double seconds) =>
        WavWriter.Pcm16(Enumerable.Range(0, (int)(seconds * 16_000)).Select(i => (float)(0.25 * Math.Sin(2 * Math.PI * 220 * i / 16_000))).ToArray(), 16_000);
}
