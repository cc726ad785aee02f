using Ser.Core.Runtime;

namespace Ser.Core.Models;

/// <summary>The precision models are actually served in. BFloat16 is a speed option: where the CPU has neither AMX nor
/// AVX512-BF16 (or oneDNN is capped below them), bf16 is emulated and was 2–2.6× slower than Float32 (issue 15,
/// wav2vec2-base and resnet18 under <c>ONEDNN_MAX_CPU_ISA=AVX512_CORE</c>), so Float32 is served instead.</summary>
public static class EffectivePrecision
{
    /// <summary><paramref name="requested"/>, except BFloat16 on a CPU device where bf16 is emulated.</summary>
    public static InferencePrecision On(InferencePrecision requested, CpuInfo cpu, bool cpuDevice = true)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        return requested == InferencePrecision.BFloat16 && cpuDevice && cpu.Bf16Kernels == CpuInfo.EmulatedBf16
            ? InferencePrecision.Float32
            : requested;
    }
}
