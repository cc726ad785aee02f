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

    /// <summary>The precision a run on <paramref name="device"/> trains in, and why when it differs from the request: on a
    /// CPU where bf16 is no faster than fp32 (<see cref="CpuInfo.Bf16Speed"/>) it trains in fp32.</summary>
    public static (string Precision, string? Reason) Effective(string requested, Device device, CpuInfo cpu)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(cpu);
        // The serving rule (EffectivePrecision): bf16 only where it is faster.
        if (requested != BFloat16 || EffectivePrecision.On(InferencePrecision.BFloat16, cpu, device.type == DeviceType.CPU) == InferencePrecision.BFloat16)
            return (requested, null);
        return (Float32, $"on this CPU ({cpu.Model}) {cpu.Bf16Speed.Reason}");
    }
}
