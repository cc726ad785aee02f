using Ser.Core.Runtime;

namespace Ser.Core.Models;

/// <summary>The precision models are actually served in. BFloat16 is a speed option, so on a CPU device it is kept only
/// where bf16 products run faster than float32 ones (<see cref="CpuInfo.Bf16Speed"/>): emulated bf16 was 2–2.6× slower
/// than Float32 (issue 15, under <c>ONEDNN_MAX_CPU_ISA=AVX512_CORE</c>), resnet18's 30–60× at AVX2, and Intel's
/// AVX512-BF16 without AMX 1.4–1.7× slower (Xeon, AMX not exposed); Float32 is served there instead.</summary>
public static class EffectivePrecision
{
    /// <summary><paramref name="requested"/>, except BFloat16 on a CPU device where bf16 is not faster than Float32.</summary>
    public static InferencePrecision On(InferencePrecision requested, CpuInfo cpu, bool cpuDevice = true)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        return requested == InferencePrecision.BFloat16 && cpuDevice && !cpu.Bf16Speed.Faster
            ? InferencePrecision.Float32
            : requested;
    }
}
