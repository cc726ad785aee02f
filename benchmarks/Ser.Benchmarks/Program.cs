using System.Diagnostics;
using System.Globalization;
using Ser.Benchmarks;
using Ser.Core.Runtime;
using static TorchSharp.torch;

// Model forward speed as a multiple of ONNX Runtime's on the same weights, in the same run (issue 15).
// Usage: dotnet run -c Release --project benchmarks/Ser.Benchmarks -- [--repeats N] [--threads 2] [--precision medium|highest] [--no-mallopt] [--no-bf16]
//               [--onnx folder] [--only wav2vec2|resnet18] [--no-training] [--steps 4] [--all]
//               (each model beside ONNX Runtime on the weights benchmarks/export_onnx.py exported, then training clips/s of
//               the full presets; --all adds the load benchmark, after dotnet build -c Release src/Ser.Api)
//        … -- --training [--steps N]   (training clips/s of the full presets; projected CREMA-D epoch time)
//        … -- --service-training [--preset wav2vec2-tiny] [--epochs 3] [--rounds 3] [--config Release|Debug]
//               (POST /jobs/train against ser-train train, same corpus and preset; after dotnet build -c CONFIG)
//        … -- --upload-memory [--clients 8] [--seconds 546] [--set Ser__Audio__MemoryBudgetMiB=256] [--api path/Ser.Api.dll]   (issue 12's memory targets; after dotnet build -c Release src/Ser.Api)
//        … -- --load [--base] [--clients 8] [--seconds 10] [--rounds 7] [--set NAME=value] [--api path/Ser.Api.dll]   (after dotnet build -c Release src/Ser.Api; --base: wav2vec2-base and resnet18 instead of the tiny presets)
var repeats = ArgValue("--repeats", 7);
// Its launch profile sets MALLOC_ARENA_MAX=1 and huge pages for that heap, as Ser's own profiles and images do; a run
// without them says so (the load benchmark, which serves only, takes the service's two).
Console.WriteLine(MallocArenas.Advice(trains: !args.Contains("--load")) is { } advice ? $"warning: {advice}"
    : $"glibc: {MallocArenas.Limit(Environment.GetEnvironmentVariable)} heap(s) for all threads ({MallocArenas.Variable})");
Console.WriteLine(HeapHugePages.Advice() is { } pages ? $"note: {pages}"
    : $"glibc heap pages: {(HeapHugePages.Requested(Environment.GetEnvironmentVariable) ? $"huge where the kernel allows ({HeapHugePages.Tunable}=1)" : "as the kernel gives them")}");
// --set Ser__Audio__MemoryBudgetMiB=256 (repeatable): settings (environment) for the service under test.
var settings = args.Select((a, i) => (a, i)).Where(x => x.a == "--set" && x.i + 1 < args.Length).Select(x => args[x.i + 1].Split('=', 2))
    .ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "");
if (args.Contains("--upload-memory"))
{
    var api = Args("--api") ?? Path.Combine(AppContext.BaseDirectory, "../../../../../src/Ser.Api/bin/Release/net10.0/Ser.Api.dll");
    await UploadMemory.RunAsync(Path.GetFullPath(api), settings, ArgValue("--clients", 8), ArgValue("--seconds", 546));
    return;
}
// Set in the load benchmark's child process: it runs the benchmark whatever its heaps.
const string LoadChild = "SER_BENCHMARK_LOAD_CHILD";

var apiDll = Path.GetFullPath(Args("--api") ?? Path.Combine(AppContext.BaseDirectory, "../../../../../src/Ser.Api/bin/Release/net10.0/Ser.Api.dll"));
if (args.Contains("--load"))
{
    await LoadAsync();
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
var threads = ArgValue("--threads", 2);
TorchRuntime.SetThreads(threads);
var ceiling = MatmulCeiling(repeats, ScalarType.Float32);
// By default the precision the service would use on this CPU (medium only where it is exact: Float32Math).
var precision = Args("--precision") ?? Float32Math.Apply().MatmulPrecision;
var applied = TorchRuntime.TrySetFloat32MatmulPrecision(precision);
Console.WriteLine($"CPU: {CpuInfo.Current}");
Console.WriteLine($"threads {get_num_threads()} (ONNX Runtime: {threads} intra-op), fp32 matmul precision {TorchRuntime.Float32MatmulPrecision()} (requested {precision}, applied {applied})");
// The best of three windows, the precisions taking turns: a ceiling, which one slow phase of a VM would otherwise set
// (AMD Zen 5, 2026-12-06: bf16 read 357 and 408 GFLOP/s in two runs, 640-692 in probes and runs minutes later).
var (modelsFp32, bf16Ceiling) = (0.0, 0.0);
for (var window = 0; window < 3; window++)
{
    modelsFp32 = Math.Max(modelsFp32, MatmulCeiling(repeats, ScalarType.Float32));
    bf16Ceiling = Math.Max(bf16Ceiling, MatmulCeiling(repeats, ScalarType.BFloat16));
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"libtorch mm 1024³: fp32 {ceiling:F1} GFLOP/s at default precision, {modelsFp32:F1} at the models' ({TorchRuntime.Float32MatmulPrecision()}); bf16 {bf16Ceiling:F1} GFLOP/s on {CpuInfo.Current.Bf16Kernels} kernels ({bf16Ceiling / modelsFp32:F1}× the models' fp32 mm)"));
var bf16Speed = CpuInfo.Current.Bf16Speed;
Console.WriteLine($"BFloat16 served and trained here: {(bf16Speed.Faster ? "yes" : "no, Float32 instead")} ({bf16Speed.Reason}); the bf16 columns below run bf16 regardless");
if (bf16Speed.Faster != bf16Ceiling > modelsFp32)
    Console.WriteLine("warning: this run's matmuls disagree with Ser's rule for this CPU (CpuInfo.Bf16Speed): please report the CPU and these lines");
new ModelComparison(Args("--onnx") ?? DefaultOnnxFolder(), threads, repeats, !args.Contains("--no-bf16"), Args("--only"), args.Contains("--turns")).Run();
if (!args.Contains("--no-training"))
{
    Console.WriteLine();
    await TrainingThroughput.RunAsync(ArgValue("--steps", 4));
}
if (args.Contains("--all"))
{
    Console.WriteLine();
    await LoadAsync();
}
return;

static double MatmulCeiling(int repeats, ScalarType dtype)
{
    using var a = randn(1024, 1024).to(dtype);
    using var b = randn(1024, 1024).to(dtype);
    var ms = Timing.MedianMs(() => { using var c = a.mm(b); }, Math.Max(repeats, 15));
    return 2.0 * 1024 * 1024 * 1024 / 1e9 / (ms / 1000);
}

// benchmarks/onnx beside this project (bin/Release/net10.0 is four levels down).
static string DefaultOnnxFolder() => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../onnx"));

// The load benchmark with its defaults (--load alone, or after the rest with --all). Its in-process baseline runs with the
// service's runtime settings: its math (TorchRuntime.Initialize) and its two glibc heaps (two passes at once at batch 3
// ran 10-15 % faster on two than on one), which glibc fixes at start-up, so a process with another count runs it in a
// child process that has them.
async Task LoadAsync()
{
    var heaps = MallocArenas.Limit(Environment.GetEnvironmentVariable);
    if (heaps == MallocArenas.ServingOnly || Environment.GetEnvironmentVariable(LoadChild) is not null)
    {
        Console.WriteLine($"load benchmark: this process has {heaps?.ToString(CultureInfo.InvariantCulture) ?? "glibc's default"} glibc heaps, the service {MallocArenas.ServingOnly}");
        TorchRuntime.Initialize();
        await LoadTest.RunAsync(apiDll, settings, ArgValue("--clients", 8), ArgValue("--seconds", 10), ArgValue("--rounds", 7), args.Contains("--base"));
        return;
    }
    // This process again: `dotnet Ser.Benchmarks.dll` or its app host (`dotnet run`).
    var host = Environment.ProcessPath!;
    var child = new ProcessStartInfo(host) { UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(host) == "dotnet") child.ArgumentList.Add(typeof(LoadTest).Assembly.Location);
    foreach (var arg in args.Where(a => a != "--all")) child.ArgumentList.Add(arg);
    if (!args.Contains("--load")) child.ArgumentList.Add("--load");
    child.Environment[MallocArenas.Variable] = MallocArenas.ServingOnly.ToString(CultureInfo.InvariantCulture);
    child.Environment[LoadChild] = "1";
    using var process = Process.Start(child)!;
    await process.WaitForExitAsync();
    if (process.ExitCode != 0) Environment.ExitCode = process.ExitCode;
}

string? Args(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

int ArgValue(string name, int fallback) => int.TryParse(Args(name), out var v) ? v : fallback;
