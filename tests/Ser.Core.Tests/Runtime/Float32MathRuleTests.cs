using Ser.Core.Runtime;

namespace Ser.Core.Tests.Runtime;

/// <summary>The decision rule of the start-up check, on measured figures: AMD Zen 4 (oneDNN exact) and an Intel Xeon with
/// AMX (oneDNN multiplies in bfloat16 under "medium").</summary>
public sealed class Float32MathRuleTests
{
    private static readonly CpuInfo Zen4 = new("AMD EPYC 9R14", AvxBf16: true, Amx: false);
    private static readonly CpuInfo Xeon = new("Intel(R) Xeon(R) Platinum 8488C", AvxBf16: true, Amx: true);

    [Fact]
    public void Medium_is_kept_where_its_products_are_as_exact_as_plain_fp32()
    {
        var math = Float32Math.Decide(4.9e-7, 7.7e-7, Zen4);

        Assert.Equal("medium", math.MatmulPrecision);
        Assert.Contains("exact", math.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Medium_is_refused_where_it_computes_in_bfloat16()
    {
        var math = Float32Math.Decide(4.9e-7, 3.9e-3, Xeon);

        Assert.Equal("highest", math.MatmulPrecision);
        Assert.Contains("bfloat16", math.Reason, StringComparison.Ordinal);
        Assert.Equal(3.9e-3, math.FastError);
    }

    [Fact]
    public void An_error_just_over_the_tolerance_is_refused_and_one_at_it_accepted()
    {
        Assert.Equal("highest", Float32Math.Decide(1e-7, Float32Math.Tolerance * 1.01, Zen4).MatmulPrecision);
        Assert.Equal("medium", Float32Math.Decide(1e-7, Float32Math.Tolerance, Zen4).MatmulPrecision);
    }

    [Fact]
    public void Without_the_setting_plain_fp32_is_used()
    {
        var math = Float32Math.Decide(4.9e-7, null, Zen4);

        Assert.Equal("highest", math.MatmulPrecision);
        Assert.Null(math.FastError);
    }

    [Theory]
    [InlineData("fpu avx2 avx512f avx512_bf16 amx_bf16 amx_tile amx_int8", "GenuineIntel", "Intel(R) Xeon(R) Platinum 8488C", "amx", true)]
    [InlineData("fpu avx2 avx512f avx512_bf16 avx512_fp16 avx_vnni", "GenuineIntel", "Intel(R) Xeon(R) Processor", "avx512_bf16", false)]
    [InlineData("fpu avx2 avx512f avx512_bf16 avx512_vnni", "AuthenticAMD", "AMD EPYC 9R14", "avx512_bf16", true)]
    [InlineData("fpu avx2 fma", "AuthenticAMD", "AMD EPYC 7R13", "emulated", false)]
    public void The_cpu_is_read_from_cpuinfo(string flags, string vendor, string model, string kernels, bool bf16Faster)
    {
        var text = $"processor\t: 0\nvendor_id\t: {vendor}\nmodel name\t: {model}\nflags\t\t: {flags}\n\n" +
            "processor\t: 1\nvendor_id\t: other\nmodel name\t: other\nflags\t\t: fpu\n";

        var cpu = CpuInfo.Parse(text);

        Assert.Equal(model, cpu.Model);
        Assert.Equal(vendor, cpu.Vendor);
        Assert.Equal(kernels, cpu.Bf16KernelsUnder(null));
        Assert.Equal(bf16Faster, cpu.Bf16SpeedUnder(null).Faster);
    }

    [Theory]
    [InlineData("AVX512_CORE_AMX", "amx")]
    [InlineData("AVX512_CORE_BF16", "avx512_bf16")]
    [InlineData("AVX512_CORE", "emulated")]
    [InlineData("AVX2", "emulated")]
    [InlineData("ALL", "amx")]
    public void A_onednn_cap_limits_the_bf16_kernels(string cap, string kernels) =>
        Assert.Equal(kernels, Xeon.Bf16KernelsUnder(cap));
}
