using Ser.Core.Runtime;
using Ser.Training.Loops;
using static TorchSharp.torch;

namespace Ser.Training.Tests.Loops;

public sealed class TrainingPrecisionTests
{
    private static readonly CpuInfo WithBf16 = new("Intel Xeon (Sapphire Rapids)", AvxBf16: true, Amx: true);
    private static readonly CpuInfo WithoutBf16 = new("AMD EPYC (Zen 3)", AvxBf16: false, Amx: false);
    private static readonly CpuInfo Bf16NoFaster = new("Intel Xeon (AMX not exposed)", AvxBf16: true, Amx: false, Vendor: "GenuineIntel");

    [Fact]
    public void Bf16_is_kept_where_the_cpu_has_bf16_hardware_and_on_cuda()
    {
        Assert.Equal((TrainingPrecision.BFloat16, null), TrainingPrecision.Effective(TrainingPrecision.BFloat16, CPU, WithBf16));
        Assert.Equal((TrainingPrecision.BFloat16, null), TrainingPrecision.Effective(TrainingPrecision.BFloat16, new Device("cuda:0"), WithoutBf16));
    }

    [Fact]
    public void A_cpu_that_would_emulate_bf16_trains_in_fp32_and_says_why()
    {
        var (precision, reason) = TrainingPrecision.Effective(TrainingPrecision.BFloat16, CPU, WithoutBf16);

        Assert.Equal(TrainingPrecision.Float32, precision);
        Assert.Contains("no bf16 hardware", reason, StringComparison.Ordinal);
        Assert.Equal((TrainingPrecision.Float32, null), TrainingPrecision.Effective(TrainingPrecision.Float32, CPU, WithBf16));
    }

    [Fact]
    public void A_cpu_whose_bf16_instructions_are_no_faster_than_fp32_trains_in_fp32_and_says_why()
    {
        var (precision, reason) = TrainingPrecision.Effective(TrainingPrecision.BFloat16, CPU, Bf16NoFaster);

        Assert.Equal(TrainingPrecision.Float32, precision);
        Assert.Contains("no faster than fp32", reason, StringComparison.Ordinal);
        Assert.Contains(Bf16NoFaster.Model, reason, StringComparison.Ordinal);
    }
}
