using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Ser.Core.Runtime;

/// <summary>Process-wide libtorch settings that TorchSharp does not expose (PERFORMANCE.md): fp32 matmul
/// precision, thread count, oneDNN's kernel cache, and keeping freed memory in the heap. Each call is idempotent.</summary>
public static partial class TorchRuntime
{
    private const string LibTorchCpu = "libtorch_cpu.so";

    /// <summary>Kernels oneDNN keeps compiled (its default is 1,024). Wav2Vec2 is batched by clip length, so validation and
    /// serving meet one input shape per length: wav2vec2-tiny's validation pass over 170 synthetic clips took 2.5 s with the
    /// default (and 2.7 s with 4,096: its kernels evicted each other), 1.3 s with 8,192, at a lower peak RSS (0.9 against
    /// 1.2 GB). AMD EPYC Zen 4, 2 cores.</summary>
    public const int KernelCacheCapacity = 8_192;

    private static readonly Lazy<Float32Math> Initialized = new(() =>
    {
        KeepFreedMemoryInHeap();
        EnlargeKernelCache();
        return Float32Math.Apply();
    });

    /// <summary>Everything a process that trains or serves wants, before its first model runs: freed memory kept in the heap,
    /// oneDNN's kernel cache enlarged, and the fp32 matmul precision chosen by <see cref="Float32Math"/>.</summary>
    public static Float32Math Initialize() => Initialized.Value;

    /// <inheritdoc cref="Initialize()"/>
    /// <param name="logger">Gets one line naming the math in force, why, and the CPU; and a warning where glibc's heaps do
    /// not suit what the process does (<see cref="MallocArenas"/>), and a note where the heap could be on huge pages and the
    /// process does not ask for them (<see cref="HeapHugePages"/>).</param>
    /// <param name="trains">False for a process that only serves, where two glibc heaps are as good as one.</param>
    public static Float32Math Initialize(Microsoft.Extensions.Logging.ILogger logger, bool trains = true)
    {
        ArgumentNullException.ThrowIfNull(logger);
        var math = Initialize();
        Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(logger,
            "Float32 math: matmul precision {MatmulPrecision} ({Reason}); CPU {Cpu}, bf16 kernels {Bf16Kernels} ({Bf16Speed}); "
            + "Ser's kernels {SerKernels}",
            math.MatmulPrecision, math.Reason, math.Cpu.Model, math.Cpu.Bf16Kernels, math.Cpu.Bf16Speed.Reason, SerKernels.Description);
        if (MallocArenas.Advice(trains) is { } advice) Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(logger, "{Advice}", advice);
        if (HeapHugePages.Advice() is { } pages) Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(logger, "{Advice}", pages);
        return math;
    }

    /// <summary>Sets <c>ONEDNN_PRIMITIVE_CACHE_CAPACITY</c> (unless the user set it) in the native environment, which oneDNN
    /// reads when it compiles its first kernel: effective only before then.</summary>
    public static bool EnlargeKernelCache(int capacity = KernelCacheCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        return OperatingSystem.IsLinux() && SetEnv("ONEDNN_PRIMITIVE_CACHE_CAPACITY", capacity.ToString(System.Globalization.CultureInfo.InvariantCulture), 0) == 0;
    }

    /// <summary>libtorch's <c>at::Context::setFloat32MatmulPrecision("highest"|"high"|"medium")</c>. On CPU, "medium"
    /// routes fp32 linear/bmm through oneDNN's faster kernels (checked against the fp32 parity fixtures).</summary>
    /// <returns>False where the symbol is not found (another libtorch build); nothing changes then.</returns>
    public static unsafe bool TrySetFloat32MatmulPrecision(string precision)
    {
        ArgumentNullException.ThrowIfNull(precision);
        if (precision is not ("highest" or "high" or "medium"))
            throw new ArgumentException($"Precision must be highest, high or medium, not '{precision}'.", nameof(precision));
        if (!TryGetExport("_ZN2at13globalContextEv", out var globalContext)
            || !TryGetExport("_ZN2at7Context25setFloat32MatmulPrecisionERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE", out var setter))
            return false;
        var context = ((delegate* unmanaged<IntPtr>)globalContext)();
        // A libstdc++ std::string in short-string form: {char* data; size_t size; char local[16]}, data → local.
        var text = System.Text.Encoding.ASCII.GetBytes(precision);
        var str = stackalloc byte[32];
        new Span<byte>(str, 32).Clear();
        *(byte**)str = str + 16;
        *(nuint*)(str + 8) = (nuint)text.Length;
        text.CopyTo(new Span<byte>(str + 16, 15));
        ((delegate* unmanaged<IntPtr, byte*, void>)setter)(context, str);
        return Float32MatmulPrecision() == precision;
    }

    /// <summary>libtorch's <c>at::Context::hasMKLDNN()</c>: whether it was built with oneDNN; false where it cannot tell.</summary>
    public static unsafe bool HasOneDnn() =>
        TryGetExport("_ZN2at7Context9hasMKLDNNEv", out var hasMkldnn) && ((delegate* unmanaged<byte>)hasMkldnn)() != 0;

    /// <summary>The current fp32 matmul precision, or null where it cannot be read.</summary>
    public static unsafe string? Float32MatmulPrecision()
    {
        if (!TryGetExport("_ZN2at13globalContextEv", out var globalContext)
            || !TryGetExport("_ZNK2at7Context22float32MatmulPrecisionEv", out var getter))
            return null;
        var context = ((delegate* unmanaged<IntPtr>)globalContext)();
        return ((delegate* unmanaged<IntPtr, int>)getter)(context) switch
        {
            0 => "highest",
            1 => "high",
            2 => "medium",
            _ => null,
        };
    }

    /// <summary>Stops glibc from returning freed tensor memory to the kernel after each call, which otherwise
    /// makes every forward pass pay page faults again: M_MMAP_MAX 0 and M_TRIM_THRESHOLD max for the main heap, M_TOP_PAD
    /// 64 MiB so that a thread's heap whose blocks were all freed is kept rather than unmapped (glibc ignores the trim
    /// threshold there). Blocks over 64 MiB on a thread's own heap are beyond any setting (<see cref="MallocArenas"/>).</summary>
    public static bool KeepFreedMemoryInHeap()
    {
        if (!OperatingSystem.IsLinux()) return false;
        const int MTrimThreshold = -1, MTopPad = -2, MMmapMax = -4;
        return Mallopt(MMmapMax, 0) == 1 && Mallopt(MTrimThreshold, int.MaxValue) == 1 && Mallopt(MTopPad, 64 << 20) == 1;
    }

    /// <summary>Intra-op threads for libtorch (process-wide).</summary>
    public static void SetThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        set_num_threads(threads);
    }

    /// <summary>The address of an exported libtorch_cpu symbol (mangled name), resolved in the copy TorchSharp loaded.</summary>
    internal static bool TryGetExport(string name, out IntPtr address)
    {
        address = IntPtr.Zero;
        using (ones(1)) { } // makes TorchSharp load libtorch, so the name below resolves to the loaded copy
        return NativeLibrary.TryLoad(LibTorchCpu, out var handle) && NativeLibrary.TryGetExport(handle, name, out address);
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int Mallopt(int parameter, int value);
}
