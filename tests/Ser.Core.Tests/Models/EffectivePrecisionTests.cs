using Ser.Core.Models;
using Ser.Core.Runtime;

namespace Ser.Core.Tests.Models;

public sealed class EffectivePrecisionTests
{
    private static readonly CpuInfo Zen3 = CpuInfo.Parse("model name\t: AMD EPYC 7R13\nflags\t\t: fpu avx2 fma\n");
    private static readonly CpuInfo Zen4 = CpuInfo.Parse("model name\t: AMD EPYC 9R14\nflags\t\t: fpu avx2 avx512f avx512_bf16\n");
    private static readonly CpuInfo Sapphire = CpuInfo.Parse("model name\t: Intel(R) Xeon(R) Platinum 8488C\nflags\t\t: fpu avx512f avx512_bf16 amx_bf16 amx_tile\n");

    [Fact]
    public void BFloat16_is_served_as_float32_where_the_cpu_would_emulate_it()
    {
        Assert.Equal(CpuInfo.EmulatedBf16, Zen3.Bf16KernelsUnder(null));
        Assert.Equal(InferencePrecision.Float32, EffectivePrecision.On(InferencePrecision.BFloat16, Zen3));
    }

    [Fact]
    public void BFloat16_is_kept_where_the_cpu_multiplies_it_in_hardware()
    {
        Assert.Equal(InferencePrecision.BFloat16, EffectivePrecision.On(InferencePrecision.BFloat16, Zen4));
        Assert.Equal(InferencePrecision.BFloat16, EffectivePrecision.On(InferencePrecision.BFloat16, Sapphire));
    }

    [Fact]
    public void A_gpu_keeps_the_requested_precision_whatever_the_cpu()
    {
        Assert.Equal(InferencePrecision.BFloat16, EffectivePrecision.On(InferencePrecision.BFloat16, Zen3, cpuDevice: false));
    }

    [Fact]
    public void Float32_is_never_changed()
    {
        Assert.Equal(InferencePrecision.Float32, EffectivePrecision.On(InferencePrecision.Float32, Zen3));
        Assert.Equal(InferencePrecision.Float32, EffectivePrecision.On(InferencePrecision.Float32, Sapphire));
    }
}
