using Ser.Core.Runtime;
using Ser.Training.Loops;
using static TorchSharp.torch;

namespace Ser.Training.Tests.Loops;

public sealed class TrainingPrecisionTests
{
    private static readonly CpuInfo WithBf16 = new("Intel Xeon (Sapphire Rapids)", AvxBf16: true, Amx: true);
    private static readonly CpuInfo WithoutBf16 = new("AMD EPYC (Zen 3)", AvxBf16: false, Amx: false);

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
        Assert.Contains("no bfloat16 hardware", reason, StringComparison.Ordinal);
        Assert.Equal((TrainingPrecision.Float32, null), TrainingPrecision.Effective(TrainingPrecision.Float32, CPU, WithBf16));
    }
}
