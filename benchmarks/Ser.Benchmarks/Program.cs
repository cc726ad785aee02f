using System.Diagnostics;
using System.Globalization;
using Ser.Benchmarks;
using Ser.Core.Models;
using Ser.Core.Models.ResNet;
using Ser.Core.Models.Wav2Vec2;
using Ser.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

// Model forward speed as a multiple of a libtorch matmul "ceiling" measured in the same run (PERFORMANCE.md).
// Usage: dotnet run -c Release --project benchmarks/Ser.Benchmarks -- [--repeats N] [--precision medium|high] [--no-mallopt] [--bf16]
//        … -- --training [--steps N]   (training clips/s of the full presets; projected CREMA-D epoch time)
//        … -- --service-training [--preset wav2vec2-tiny] [--epochs 3] [--rounds 3] [--config Release|Debug]
//               (POST /jobs/train against ser-train train, same corpus and preset; after dotnet build -c CONFIG)
//        … -- --upload-memory [--clients 8] [--seconds 546] [--set Ser__Audio__MemoryBudgetMiB=256] [--api path/Ser.Api.dll]   (issue 12's memory targets; after dotnet build -c Release src/Ser.Api)
//        … -- --load [--clients 8] [--seconds 30] [--api path/Ser.Api.dll]   (after dotnet build -c Release src/Ser.Api)
var repeats = ArgValue("--repeats", 7);
if (args.Contains("--upload-memory"))
{
    var api = Args("--api") ?? Path.Combine(AppContext.BaseDirectory, "../../../../../src/Ser.Api/bin/Release/net10.0/Ser.Api.dll");
    // --set Ser__Audio__MemoryBudgetMiB=256 (repeatable): settings for the service under test.
    var settings = args.Select((a, i) => (a, i)).Where(x => x.a == "--set" && x.i + 1 < args.Length).Select(x => args[x.i + 1].Split('=', 2))
        .ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "");
    await UploadMemory.RunAsync(Path.GetFullPath(api), settings, ArgValue("--clients", 8), ArgValue("--seconds", 546));
    return;
}
if (args.Contains("--load"))
{
    TorchRuntime.KeepFreedMemoryInHeap();
    var api = Args("--api") ?? Path.Combine(AppContext.BaseDirectory, "../../../../../src/Ser.Api/bin/Release/net10.0/Ser.Api.dll");
    await LoadTest.RunAsync(Path.GetFullPath(api), ArgValue("--clients", 8), ArgValue("--seconds", 30));
    return;
}
if (args.Contains("--service-training"))
{
    var src = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../src"));
    var configuration = Args("--config") ?? "Release";
    await ServiceTrainingSpeed.RunAsync(Path.Combine(src, $"Ser.Training/bin/{configuration}/net10.0/ser-train.dll"),
        Path.Combine(src, $"Ser.Api/bin/{configuration}/net10.0/Ser.Api.dll"), Args("--preset") ?? "wav2vec2-tiny", ArgValue("--epochs", 3), ArgValue("--rounds", 3));
    return;
}
if (args.Contains("--training"))
{
    TorchRuntime.Initialize();
    if (Args("--precision") is { } forced) TorchRuntime.TrySetFloat32MatmulPrecision(forced);
    await TrainingThroughput.RunAsync(ArgValue("--steps", 4));
    return;
}
if (!args.Contains("--no-mallopt")) TorchRuntime.KeepFreedMemoryInHeap();
TorchRuntime.EnlargeKernelCache();
var ceiling = MatmulCeiling(repeats);
// By default the precision the service would use on this CPU (medium only where it is exact: Float32Math).
var precision = Args("--precision") ?? Float32Math.Apply().MatmulPrecision;
var applied = TorchRuntime.TrySetFloat32MatmulPrecision(precision);
Console.WriteLine($"threads {get_num_threads()}, fp32 matmul precision {TorchRuntime.Float32MatmulPrecision()} (requested {precision}, applied {applied})");
Console.WriteLine($"ceiling: mm 1024³ fp32 at default precision = {ceiling:F1} GFLOP/s");
Console.WriteLine("| model | input | ms / forward | ms / clip | GFLOP | GFLOP/s | × ceiling |");
Console.WriteLine("|---|---|---|---|---|---|---|");

using (no_grad())
{
    manual_seed(0);
    var w2vConfig = ModelPresets.Wav2Vec2Base.Wav2Vec2!;
    using var w2v = new Wav2Vec2ForSequenceClassification(w2vConfig);
    w2v.eval();
    if (args.Contains("--parts"))
    {
        using var x = randn(1, 48_000);
        var encoder = (Wav2Vec2FeatureEncoder)w2v.Backbone.FeatureEncoder;
        Report("  conv encoder", "[1, 48000]", 1, 1e9, () => { using var scope = NewDisposeScope(); using var mode = inference_mode(); encoder.forward(x); });
    }
    foreach (var batch in new[] { 1, 8 })
    {
        using var input = randn(batch, 48_000);
        Report("wav2vec2-base", $"[{batch}, 48000] (3 s)", batch, ModelFlops.Wav2Vec2(w2vConfig, 48_000) * batch,
            () => { using var scope = NewDisposeScope(); using var mode = inference_mode(); w2v.forward(input, null); });
    }
    using var resnet = new ResNet18(6, 1, 64);
    resnet.eval();
    var frames = ModelPresets.ResNet18.ResNet!.WindowFrames;
    foreach (var batch in new[] { 1, 8 })
    {
        using var input = randn(batch, 1, 128, frames);
        Report("resnet18", $"[{batch}, 1, 128, {frames}]", batch, ModelFlops.ResNet18(1, 64, 128, frames) * batch,
            () => { using var scope = NewDisposeScope(); using var mode = inference_mode(); resnet.forward(input); });
    }
    if (args.Contains("--bf16"))
    {
        w2v.to(ScalarType.BFloat16);
        foreach (var batch in new[] { 1, 8 })
        {
            using var input = randn(batch, 48_000).to(ScalarType.BFloat16);
            Report("wav2vec2-base bf16", $"[{batch}, 48000] (3 s)", batch, ModelFlops.Wav2Vec2(w2vConfig, 48_000) * batch,
                () => { using var scope = NewDisposeScope(); using var mode = inference_mode(); w2v.forward(input, null); });
        }
        using var resnetBf16 = new ResNet18(6, 1, 64);
        resnetBf16.eval();
        resnetBf16.to(ScalarType.BFloat16);
        foreach (var batch in new[] { 1, 8 })
        {
            using var input = randn(batch, 1, 128, frames).to(ScalarType.BFloat16);
            Report("resnet18 bf16", $"[{batch}, 1, 128, {frames}]", batch, ModelFlops.ResNet18(1, 64, 128, frames) * batch,
                () => { using var scope = NewDisposeScope(); using var mode = inference_mode(); resnetBf16.forward(input); });
        }
    }
    using var fused = new FusedResNet18(resnet);
    foreach (var batch in new[] { 1, 8 })
    {
        using var input = randn(batch, 1, 128, frames);
        Report("resnet18 (BN folded)", $"[{batch}, 1, 128, {frames}]", batch, ModelFlops.ResNet18(1, 64, 128, frames) * batch,
            () => { using var scope = NewDisposeScope(); using var mode = inference_mode(); fused.Forward(input); });
    }
}
return;

void Report(string model, string shape, int batch, double flops, Action forward)
{
    var ms = MedianMs(forward, repeats);
    var gflops = flops / 1e9;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {model} | {shape} | {ms:F1} | {ms / batch:F1} | {gflops:F2} | {gflops / (ms / 1000):F1} | {gflops / (ms / 1000) / ceiling:F2} |"));
}

static double MatmulCeiling(int repeats)
{
    using var a = randn(1024, 1024);
    using var b = randn(1024, 1024);
    var ms = MedianMs(() => { using var c = a.mm(b); }, Math.Max(repeats, 15));
    return 2.0 * 1024 * 1024 * 1024 / 1e9 / (ms / 1000);
}

static double MedianMs(Action action, int repeats)
{
    action(); action(); // warm-up: allocator, oneDNN primitive caches
    var times = new double[repeats];
    for (var i = 0; i < repeats; i++)
    {
        var watch = Stopwatch.StartNew();
        action();
        times[i] = watch.Elapsed.TotalMilliseconds;
    }
    Array.Sort(times);
    return times[repeats / 2];
}

string? Args(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

int ArgValue(string name, int fallback) => int.TryParse(Args(name), out var v) ? v : fallback;
