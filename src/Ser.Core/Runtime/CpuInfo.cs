namespace Ser.Core.Runtime;

/// <summary>The CPU this process runs on, as far as low-precision math is concerned (Linux <c>/proc/cpuinfo</c>).</summary>
/// <param name="Model">The model name, e.g. "AMD EPYC 9R14" or "Intel(R) Xeon(R) Platinum 8488C".</param>
/// <param name="AvxBf16">AVX512-BF16: bf16 dot products in AVX-512 registers.</param>
/// <param name="Amx">AMX-BF16: bf16 tile matrix multiply (Intel Xeon Sapphire Rapids and later).</param>
/// <param name="Vendor">The CPUID vendor, e.g. "AuthenticAMD" or "GenuineIntel".</param>
public sealed record CpuInfo(string Model, bool AvxBf16, bool Amx, string Vendor = "unknown")
{
    /// <summary><see cref="Bf16Kernels"/> values.</summary>
    public const string Bf16OnAmx = "amx", Bf16OnAvx512 = "avx512_bf16", EmulatedBf16 = "emulated";

    /// <summary><see cref="Vendor"/> of AMD CPUs.</summary>
    public const string Amd = "AuthenticAMD";

    private static readonly Lazy<CpuInfo> Cached = new(Read);

    /// <summary>This machine's CPU, with this process's <c>ONEDNN_MAX_CPU_ISA</c> as <see cref="MaxIsa"/>.</summary>
    public static CpuInfo Current => Cached.Value;

    /// <summary>The cap on what oneDNN may use (<c>ONEDNN_MAX_CPU_ISA</c>; null: none). Part of the description, not read
    /// from the environment on each use, so a CPU described in code is judged the same under any environment.</summary>
    public string? MaxIsa { get; init; }

    /// <summary>What bfloat16 products run on here: oneDNN picks AMX over AVX512-BF16; without either, bf16 is emulated
    /// (slower than float32). <see cref="MaxIsa"/>, when set, caps what oneDNN may use.</summary>
    public string Bf16Kernels => Bf16KernelsUnder(MaxIsa);

    /// <summary><see cref="Bf16Kernels"/> with oneDNN capped at <paramref name="maxIsa"/> (null or ALL: no cap).</summary>
    public string Bf16KernelsUnder(string? maxIsa)
    {
        var cap = string.IsNullOrWhiteSpace(maxIsa) || maxIsa.Equals("ALL", StringComparison.OrdinalIgnoreCase) ? null : maxIsa.ToUpperInvariant();
        if (Amx && (cap is null || cap.Contains("AMX", StringComparison.Ordinal) || cap.StartsWith("AVX10_2", StringComparison.Ordinal))) return Bf16OnAmx;
        if (AvxBf16 && (cap is null || cap.Contains("BF16", StringComparison.Ordinal) || cap.Contains("AMX", StringComparison.Ordinal)
            || cap.Contains("FP16", StringComparison.Ordinal) || cap.StartsWith("AVX10", StringComparison.Ordinal))) return Bf16OnAvx512;
        return EmulatedBf16;
    }

    /// <summary>Whether bfloat16 products run faster here than float32 ones (<see cref="Bf16Kernels"/>, under
    /// <see cref="MaxIsa"/>), and why; where they do not, bf16 is only a loss of precision.</summary>
    public (bool Faster, string Reason) Bf16Speed => Bf16SpeedUnder(MaxIsa);

    /// <summary><see cref="Bf16Speed"/> with oneDNN capped at <paramref name="maxIsa"/>. Measured with libtorch's 1024³
    /// matmul, bf16 against fp32 (issue 15): AMD AVX512-BF16 2.0× (Zen 4) and 2.1× (Zen 5); Intel Xeon (Emerald Rapids,
    /// AMX not exposed by the hypervisor) AVX512-BF16 0.6×, as its bf16 dot product issues on one port where fp32 FMAs
    /// use two.</summary>
    public (bool Faster, string Reason) Bf16SpeedUnder(string? maxIsa) => Bf16KernelsUnder(maxIsa) switch
    {
        Bf16OnAmx => (true, "AMX multiplies bf16 tiles several times faster than fp32"),
        Bf16OnAvx512 when Vendor == Amd => (true, "AMD's AVX512-BF16 multiplies bf16 about twice as fast as fp32"),
        Bf16OnAvx512 => (false, $"AVX512-BF16 without AMX on {Vendor} is no faster than fp32 (one bf16 dot-product port against two fp32 FMA ports)"),
        _ => (false, "no bf16 hardware: bf16 would be emulated, 2–2.6× slower than fp32 with AVX-512 and 30–60× at AVX2"),
    };

    /// <summary>Parses the text of <c>/proc/cpuinfo</c> (first processor's model name and flags).</summary>
    public static CpuInfo Parse(string cpuinfo)
    {
        ArgumentNullException.ThrowIfNull(cpuinfo);
        string? model = null, vendor = null;
        var flags = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in cpuinfo.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0) continue;
            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (key == "model name") model ??= value;
            else if (key == "vendor_id") vendor ??= value;
            else if (key == "flags" && flags.Count == 0) flags.UnionWith(value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }
        return new CpuInfo(model ?? "unknown", flags.Contains("avx512_bf16"), flags.Contains("amx_bf16"), vendor ?? "unknown");
    }

    private static CpuInfo Read() => ReadCpu() with { MaxIsa = Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") };

    private static CpuInfo ReadCpu()
    {
        try
        {
            return File.Exists("/proc/cpuinfo") ? Parse(File.ReadAllText("/proc/cpuinfo")) : new CpuInfo("unknown", false, false);
        }
        catch (IOException)
        {
            return new CpuInfo("unknown", false, false);
        }
        catch (UnauthorizedAccessException)
        {
            return new CpuInfo("unknown", false, false);
        }
    }
}
