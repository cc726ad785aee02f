using Ser.Core.Models;
using Ser.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Training.Loops;

/// <summary>What a training step multiplies in: <c>float32</c>, or <c>bfloat16</c> mixed precision (<see cref="Bf16Twin"/>:
/// convolutions and linear layers in bf16, norms, loss, gradients' master copy and optimizer in fp32).</summary>
public static class TrainingPrecision
{
    public const string Float32 = "float32";

    public const string BFloat16 = "bfloat16";

    public static bool IsKnown(string? precision) => precision is Float32 or BFloat16;

    /// <summary>The precision a run on <paramref name="device"/> trains in, and why when it differs from the request: a CPU
    /// without bf16 hardware would emulate it, several times slower than fp32, so it trains in fp32 there.</summary>
    public static (string Precision, string? Reason) Effective(string requested, Device device, CpuInfo cpu)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(cpu);
        // The serving rule (EffectivePrecision): bf16 only where it is not emulated.
        if (requested != BFloat16 || EffectivePrecision.On(InferencePrecision.BFloat16, cpu, device.type == DeviceType.CPU) == InferencePrecision.BFloat16)
            return (requested, null);
        return (Float32, $"this CPU ({cpu.Model}) has no bfloat16 hardware, where bf16 would be slower than fp32");
    }
}
