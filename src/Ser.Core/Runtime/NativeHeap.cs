using System.Runtime.InteropServices;

namespace Ser.Core.Runtime;

/// <summary>glibc's heap, where libtorch keeps tensors. A model's warm-up (an 8 s clip on each thread count its passes may
/// take) frees most of what it allocated, but glibc keeps freed memory for later calls, and the process's RSS with it.</summary>
public static partial class NativeHeap
{
    /// <summary>Returns the heap's free memory to the kernel (<c>malloc_trim(0)</c>: every arena, free pages anywhere in
    /// it, not only at its top); whether any was returned. False, doing nothing, off glibc.</summary>
    public static bool Trim()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return MallocTrim(0) != 0;
        }
        catch (EntryPointNotFoundException)
        {
            return false; // musl and other C libraries have no malloc_trim
        }
        catch (DllNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
