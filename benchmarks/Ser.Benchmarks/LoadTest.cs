using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
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
    public static async Task RunAsync(string apiDll, IReadOnlyDictionary<string, string> settings, int clients, int seconds, int rounds,
        bool baseModels = false)
    {
        var root = Directory.CreateTempSubdirectory("ser-load-").FullName;
        try
        {
            if (baseModels)
                SaveModels(root, ModelPresets.Wav2Vec2Base, ModelPresets.ResNet18);
            else
                SaveTinyModels(root);
            Console.WriteLine(baseModels ? "models: wav2vec2-base and resnet18 (random weights)" : "models: wav2vec2-tiny and resnet18-tiny (random weights)");
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
            // The threads the service runs each model's passes on (GET /models), for the baseline's own-schedule turn.
            var passThreads = await PassThreadsAsync(server.Http).ConfigureAwait(false);
            Console.WriteLine($"| round | raw batched, in-process (batch {RawBatch}, best schedule) | served, {clients} clients | served / raw | p50 | p99 | statuses | server CPU per request | client CPU per request | CPU busy (both processes) | clips per forward pass (wav2vec2, resnet18) | raw at the served batch size (best schedule) | served / that |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            await ServeAsync(server, wav, clients, Math.Min(seconds, 5)).ConfigureAwait(false); // warm-up: JIT tiering, pools, kernels
            // Both raw baselines (batch 16 and the served batch) are measured for as long.
            var rawSeconds = Math.Max(3, seconds / 2);
            var ratios = new List<double>();
            var overheads = new List<double>();
            for (var round = 1; round <= rounds; round++)
            {
                await server.WaitUntilIdleAsync().ConfigureAwait(false); // its GC and tiering after a load would slow the raw phase
                var (raw, schedule) = RawThroughput(w, r, clip, RawBatch, passThreads, rawSeconds);
                var served = await ServeAsync(server, wav, clients, seconds).ConfigureAwait(false);
                // The same models at the batch size the clients' load gave the service: what remains is the service's own cost.
                var servedBatch = Math.Max(1, (int)Math.Round(served.WindowsPerPass));
                // Measured as the batch-16 baseline is: after the server's post-load work.
                await server.WaitUntilIdleAsync().ConfigureAwait(false);
                var (atServed, servedSchedule) = RawThroughput(w, r, clip, servedBatch, passThreads, rawSeconds);
                ratios.Add(served.PerSecond / raw);
                overheads.Add(served.PerSecond / atServed);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {round} | {raw:0.0} clips/s ({schedule}) | {served.PerSecond:0.0} req/s | {served.PerSecond / raw:P0} | {served.P50:0} ms | {served.P99:0} ms | {served.Statuses} | {served.CpuMsPerRequest:0.0} ms | {served.ClientCpuMsPerRequest:0.0} ms | {served.Busy:P0} | {served.WindowsPerPass:0.0} ({served.Wav2Vec2PerPass:0.0}, {served.ResNet18PerPass:0.0}) | batch {servedBatch}: {atServed:0.0} clips/s ({servedSchedule}) | {served.PerSecond / atServed:P0} |"));
            }
            var (low, median, high) = Timing.Quartiles([.. ratios]);
            var (overheadLow, overhead, overheadHigh) = Timing.Quartiles([.. overheads]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"serving at {median:P0} of the raw batched throughput (median of {rounds} rounds, quartiles {low:P0}–{high:P0}); at {overhead:P0} ({overheadLow:P0}–{overheadHigh:P0}) of the raw throughput at the batch size it served; server peak RSS {server.PeakRssMiB()} MiB"));
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
        double Busy, double WindowsPerPass, double Wav2Vec2PerPass, double ResNet18PerPass);

    private static async Task<Served> ServeAsync(SerProcess server, byte[] wav, int clients, int seconds)
    {
        var http = server.Http;
        var latencies = new List<double>();
        var statuses = new Dictionary<int, int>();
        var before = await BatchTotalsAsync(http).ConfigureAwait(false);
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
        var after = await BatchTotalsAsync(http).ConfigureAwait(false);
        double PerPass(string? architecture)
        {
            double Sum(Dictionary<string, (double Passes, double Windows)> totals, bool windows) =>
                totals.Where(t => architecture is null || t.Key == architecture).Sum(t => windows ? t.Value.Windows : t.Value.Passes);
            return (Sum(after, true) - Sum(before, true)) / Math.Max(1, Sum(after, false) - Sum(before, false));
        }
        latencies.Sort();
        var ok = statuses.GetValueOrDefault(200);
        return new Served(ok / elapsed, latencies[latencies.Count / 2], latencies[(int)(latencies.Count * 0.99)],
            string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}")), cpu / Math.Max(1, latencies.Count),
            clientCpu / Math.Max(1, latencies.Count), (cpu + clientCpu) / (elapsed * 1000 * Environment.ProcessorCount),
            PerPass(null), PerPass("wav2vec2"), PerPass("resnet18"));
    }

    // Each served model's threads as the service reports them (GET /models: loaded[].pass.threads).
    private static async Task<(int Wav2Vec2, int ResNet18)> PassThreadsAsync(HttpClient http)
    {
        using var models = JsonDocument.Parse(await http.GetStringAsync(new Uri("/models", UriKind.Relative)).ConfigureAwait(false));
        var threads = models.RootElement.GetProperty("loaded").EnumerateArray()
            .ToDictionary(m => m.GetProperty("architecture").GetString()!, m => m.GetProperty("pass").GetProperty("threads").GetInt32(), StringComparer.Ordinal);
        return (threads["wav2vec2"], threads["resnet18"]);
    }

    // The service's own count of forward passes and the windows they held (/metrics), by model.
    private static async Task<Dictionary<string, (double Passes, double Windows)>> BatchTotalsAsync(HttpClient http)
    {
        var lines = (await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)).ConfigureAwait(false)).Split('\n');
        double Value(string name, string architecture) => lines
            .Where(l => l.StartsWith(name, StringComparison.Ordinal) && l.Contains($"architecture=\"{architecture}\"", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        return ModelArchitectures.All.ToDictionary(a => a,
            a => (Value("ser_batch_size_windows_count", a), Value("ser_batch_size_windows_sum", a)), StringComparer.Ordinal);
    }

    /// <summary>Untrained tiny presets as model folders: <c>root/w</c> (wav2vec2) and <c>root/r</c> (resnet18).</summary>
    public static void SaveTinyModels(string root) => SaveModels(root, ModelPresets.Wav2Vec2Tiny, ModelPresets.ResNet18Tiny);

    private static void SaveModels(string root, ModelPreset wav2vec2, ModelPreset resnet18)
    {
        manual_seed(3);
        using (var w = new Wav2Vec2ForSequenceClassification(wav2vec2.Wav2Vec2!)) Wav2Vec2Checkpoint.Save(w, Path.Combine(root, "w"));
        var spec = resnet18.ResNet!;
        using var r = new ResNet18(6, spec.InChannels, spec.BaseWidth);
        ResNetModelFolder.Save(r, new ResNetModelFolder.Description(resnet18.Name, spec.BaseWidth, spec.InChannels, spec.FrontEnd, spec.WindowSeconds,
            EmotionLabels.All), Path.Combine(root, "r"));
    }

    // The best of three in-process schedules on batches of `batch`: the models one after the other, both at once on two
    // threads with libtorch's threads each, and both at once on the service's threads for each (`passThreads`, as its
    // per-model loops run them); each batch finished by both before the next.
    private static (double ClipsPerSecond, string Schedule) RawThroughput(IEmotionClassifier w, IEmotionClassifier r, float[] clip, int batch,
        (int Wav2Vec2, int ResNet18) passThreads, int seconds)
    {
        var clips = Enumerable.Repeat(clip, batch).ToArray();
        w.PredictBatch(clips);
        r.PredictBatch(clips);
        // Forms are measured per thread count (MeasuredChoice): on the service's counts too, before any schedule is timed.
        OnShare(w, passThreads.Wav2Vec2);
        OnShare(r, passThreads.ResNet18);
        double Measure(Action pass)
        {
            var watch = Stopwatch.StartNew();
            var done = 0;
            while (watch.Elapsed.TotalSeconds < seconds / 3.0)
            {
                pass();
                done += clips.Length;
            }
            return done / watch.Elapsed.TotalSeconds;
        }
        void OnShare(IEmotionClassifier model, int threads)
        {
            using var share = IntraOpThreads.Use(threads);
            model.PredictBatch(clips);
        }
        var schedules = new (string Name, double ClipsPerSecond)[]
        {
            ("one after the other", Measure(() =>
            {
                w.PredictBatch(clips);
                r.PredictBatch(clips);
            })),
            ("at once", Measure(() => Parallel.Invoke(() => w.PredictBatch(clips), () => r.PredictBatch(clips)))),
            (string.Create(CultureInfo.InvariantCulture, $"at once, the service's {passThreads.Wav2Vec2}+{passThreads.ResNet18} threads"),
                Measure(() => Parallel.Invoke(() => OnShare(w, passThreads.Wav2Vec2), () => OnShare(r, passThreads.ResNet18)))),
        };
        if (passThreads.Wav2Vec2 == passThreads.ResNet18)
            schedules = [.. schedules, (string.Create(CultureInfo.InvariantCulture, $"both models' batches in turn on two threads of {passThreads.Wav2Vec2}"),
                Alternating(w, r, clips, passThreads.Wav2Vec2, seconds / 3.0))];
        var best = schedules.MaxBy(s => s.ClipsPerSecond);
        return (best.ClipsPerSecond, string.Create(CultureInfo.InvariantCulture,
            $"{best.Name}; {string.Join(", ", schedules.Where(s => s != best).Select(s => $"{s.Name} {s.ClipsPerSecond:0}"))}"));
    }

    // Two threads on `threads` each, every one taking the next batch, wav2vec2's and resnet18's in turn: the work-conserving
    // schedule the service's loops follow when the models' shares are equal (one loop runs the other's waiting passes).
    // Clips a second that both models finished.
    private static double Alternating(IEmotionClassifier w, IEmotionClassifier r, float[][] clips, int threads, double seconds)
    {
        var done = new int[2];
        var next = -1;
        var watch = Stopwatch.StartNew();
        var loops = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            using var share = IntraOpThreads.Use(threads);
            while (watch.Elapsed.TotalSeconds < seconds)
            {
                var model = Interlocked.Increment(ref next) % 2;
                (model == 0 ? w : r).PredictBatch(clips);
                Interlocked.Increment(ref done[model]);
            }
        })).ToList();
        loops.ForEach(t => t.Start());
        loops.ForEach(t => t.Join());
        return Math.Min(done[0], done[1]) * clips.Length / watch.Elapsed.TotalSeconds;
    }

    private static byte[] Tone(double seconds) =>
        WavWriter.Pcm16(Enumerable.Range(0, (int)(seconds * 16_000)).Select(i => (float)(0.25 * Math.Sin(2 * Math.PI * 220 * i / 16_000))).ToArray(), 16_000);
}
