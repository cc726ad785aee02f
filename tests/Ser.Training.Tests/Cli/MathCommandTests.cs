using System.Diagnostics;
using System.Runtime.Intrinsics.X86;
using Ser.Core.Runtime;

namespace Ser.Training.Tests.Cli;

/// <summary>The start-up math check against oneDNN's own account of its kernels (<c>ONEDNN_VERBOSE=1</c>), in fresh
/// processes, with and without <c>ONEDNN_MAX_CPU_ISA</c> caps. The check measures numbers; oneDNN names the kernel each
/// product ran on. They must agree: "medium" is kept exactly when no bf16-asked product ran on a bf16 kernel.</summary>
public sealed class MathCommandTests(ITestOutputHelper log)
{
    [Theory]
    [InlineData(null)]
    [InlineData("AVX512_CORE")]
    [InlineData("AVX2")]
    public async Task The_check_keeps_medium_exactly_when_onednn_ran_no_bf16_kernel_for_it(string? cap)
    {
        var (code, output) = await MathAsync(cap);
        Assert.Equal(0, code);

        // onednn_verbose,v1,primitive,exec,cpu,matmul,brg_matmul:avx512_core_amx,undef,src:f32... attr-fpmath:bf16,...
        var bf16Asked = output.Where(l => l.StartsWith("onednn_verbose", StringComparison.Ordinal) && l.Contains(",exec,", StringComparison.Ordinal)
            && l.Contains("attr-fpmath:bf16", StringComparison.Ordinal)).ToList();
        var kernels = bf16Asked.Select(l => l.Split(',')[6]).Distinct().ToList();
        var ranInBf16 = kernels.Any(k => k.Contains("amx", StringComparison.Ordinal) || k.Contains("bf16", StringComparison.Ordinal));
        var decision = output.Single(l => l.StartsWith("float32 matmul precision:", StringComparison.Ordinal)).Split(':')[1].Trim();
        // Below AVX-512 libtorch keeps fp32 products off oneDNN's bf16 path altogether (no such lines): medium is exact there.
        log.WriteLine($"cap {cap ?? "(none)"}: {bf16Asked.Count} bf16-allowed products on [{string.Join(", ", kernels)}] → {decision}");

        Assert.Equal(ranInBf16 ? "highest" : "medium", decision);
        Assert.Contains(output, l => l == $"bf16 kernels: {CpuInfo.Current.Bf16KernelsUnder(cap)}");
        Assert.Contains(output, l => l.StartsWith($"bf16 faster than fp32: {(CpuInfo.Current.Bf16SpeedUnder(cap).Faster ? "yes" : "no")} (", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task It_says_whether_sers_kernels_run_and_why_not(bool avx512Disabled)
    {
        var (code, output) = await MathAsync(null, avx512Disabled);
        Assert.Equal(0, code);

        var line = Assert.Single(output, l => l.StartsWith("ser kernels: ", StringComparison.Ordinal));
        var wide = Avx512F.IsSupported && !avx512Disabled;
        var narrow = Avx2.IsSupported && Fma.IsSupported;
        Assert.StartsWith(wide ? "ser kernels: AVX-512" : narrow ? "ser kernels: AVX2 (ResNet18's convolutions, linear layers" : "ser kernels: off: neither",
            line, StringComparison.Ordinal);
    }

    private static async Task<(int Code, List<string> Output)> MathAsync(string? cap, bool avx512Disabled = false)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ser-train.dll"));
        info.ArgumentList.Add("math");
        info.Environment["ONEDNN_VERBOSE"] = "1";
        if (cap is null) info.Environment.Remove("ONEDNN_MAX_CPU_ISA");
        else info.Environment["ONEDNN_MAX_CPU_ISA"] = cap;
        if (avx512Disabled) info.Environment["DOTNET_EnableAVX512"] = "0";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, (await stdout + await stderr).Split('\n').Select(l => l.TrimEnd('\r')).ToList());
    }
}
