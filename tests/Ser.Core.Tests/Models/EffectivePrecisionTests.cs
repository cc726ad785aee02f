using Ser.Core.Models;
using Ser.Core.Runtime;

namespace Ser.Core.Tests.Models;

public sealed class EffectivePrecisionTests
{
    private static readonly CpuInfo Zen3 = CpuInfo.Parse("vendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7R13\nflags\t\t: fpu avx2 fma\n");
    private static readonly CpuInfo Zen4 = CpuInfo.Parse("vendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 9R14\nflags\t\t: fpu avx2 avx512f avx512_bf16\n");
    private static readonly CpuInfo Sapphire = CpuInfo.Parse(
        "vendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Platinum 8488C\nflags\t\t: fpu avx512f avx512_bf16 amx_bf16 amx_tile\n");
    // The machine of 2026-12-02 (family 6 model 207): AVX512-BF16, AMX not exposed by the hypervisor; bf16 mm 0.6× fp32.
    private static readonly CpuInfo XeonWithoutAmx = CpuInfo.Parse(
        "vendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Processor\nflags\t\t: fpu avx512f avx512_bf16 avx512_fp16 avx_vnni\n");

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
    public void A_described_cpu_is_judged_under_its_own_onednn_cap_not_the_processs()
    {
        // Zen4 carries no cap, whatever ONEDNN_MAX_CPU_ISA this test process runs under (the CI's AVX2 check sets one).
        Assert.Equal(CpuInfo.Bf16OnAvx512, Zen4.Bf16Kernels);
        Assert.True(Zen4.Bf16Speed.Faster);
        var capped = Zen4 with { MaxIsa = "AVX2" };
        Assert.Equal(CpuInfo.EmulatedBf16, capped.Bf16Kernels);
        Assert.Equal(InferencePrecision.Float32, EffectivePrecision.On(InferencePrecision.BFloat16, capped));
        Assert.Equal(Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA"), CpuInfo.Current.MaxIsa);
    }

    [Fact]
    public void BFloat16_is_served_as_float32_where_the_cpu_has_bf16_instructions_no_faster_than_fp32()
    {
        Assert.Equal(CpuInfo.Bf16OnAvx512, XeonWithoutAmx.Bf16KernelsUnder(null));
        Assert.False(XeonWithoutAmx.Bf16SpeedUnder(null).Faster);
        Assert.Contains("no faster", XeonWithoutAmx.Bf16SpeedUnder(null).Reason, StringComparison.Ordinal);
        Assert.Equal(InferencePrecision.Float32, EffectivePrecision.On(InferencePrecision.BFloat16, XeonWithoutAmx));
        Assert.Equal(InferencePrecision.BFloat16, EffectivePrecision.On(InferencePrecision.BFloat16, XeonWithoutAmx, cpuDevice: false));
    }

    [Theory]
    [InlineData("AVX512_CORE_AMX", true)]
    [InlineData("AVX512_CORE_BF16", false)] // AMX capped away: the same AVX512-BF16 kernels as above
    [InlineData("AVX512_CORE", false)]
    public void A_onednn_cap_decides_whether_an_intel_cpu_gains_from_bf16(string cap, bool faster) =>
        Assert.Equal(faster, Sapphire.Bf16SpeedUnder(cap).Faster);

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
