using System.Reflection;
using System.Runtime.InteropServices;
using Ser.Core.Runtime;
using static TorchSharp.torch;

namespace Ser.Training.Runs;

/// <summary>Where a run ran (<c>environment.json</c>): code version, TorchSharp and libtorch, the resolved device (<c>cpu</c>,
/// <c>cuda:0</c>; never <c>auto</c>), threads, fp32 matmul precision, OS, and the CPU's model: float kernels differ between
/// CPUs, and training amplifies the last bits, so a run's figures are reproducible on the same CPU and thread count.</summary>
/// <param name="Cpu">The process architecture (<c>X64</c>).</param>
/// <param name="CpuModel">e.g. "AMD EPYC 9R14" (null in runs made before it was recorded).</param>
public sealed record RunEnvironment(string CodeVersion, string TorchSharp, string LibTorch, string Device, int Threads,
    string? MatmulPrecision, string Os, string Cpu, int ProcessorCount, string? CpuModel = null)
{
    /// <summary>The device, with the CPU's model when it is the CPU (e.g. <c>cpu (AMD EPYC)</c>).</summary>
    public string DeviceDescription => Device.StartsWith("cpu", StringComparison.Ordinal) && CpuModel is { } model ? $"{Device} ({model})" : Device;

    public static RunEnvironment Capture(string device) => new(
        typeof(RunEnvironment).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
        typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "unknown",
        __version__,
        Ser.Core.Models.TorchDevices.Resolve(device).ToString(), get_num_threads(), TorchRuntime.Float32MatmulPrecision(),
        RuntimeInformation.OSDescription, RuntimeInformation.ProcessArchitecture.ToString(), Environment.ProcessorCount, CpuInfo.Current.Model);
}
