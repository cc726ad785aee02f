using System.Reflection;
using System.Runtime.InteropServices;
using Ser.Core.Runtime;
using static TorchSharp.torch;

namespace Ser.Training.Runs;

/// <summary>Where a run ran (<c>environment.json</c>): code version, TorchSharp and libtorch, the resolved device (<c>cpu</c>,
/// <c>cuda:0</c>; never <c>auto</c>), threads, OS.</summary>
public sealed record RunEnvironment(string CodeVersion, string TorchSharp, string LibTorch, string Device, int Threads,
    string? MatmulPrecision, string Os, string Cpu, int ProcessorCount)
{
    public static RunEnvironment Capture(string device) => new(
        typeof(RunEnvironment).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
        typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "unknown",
        __version__,
        Ser.Core.Models.TorchDevices.Resolve(device).ToString(), get_num_threads(), TorchRuntime.Float32MatmulPrecision(),
        RuntimeInformation.OSDescription, RuntimeInformation.ProcessArchitecture.ToString(), Environment.ProcessorCount);
}
