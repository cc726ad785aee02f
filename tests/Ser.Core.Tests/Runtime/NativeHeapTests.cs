using System.Runtime.InteropServices;
using Ser.Core.Runtime;

namespace Ser.Core.Tests.Runtime;

public sealed class NativeHeapTests
{
    [Fact]
    public unsafe void Memory_freed_on_the_heap_is_returned_to_the_kernel()
    {
        // 32 MiB in 64 KiB blocks (below glibc's mmap threshold, so on the heap), then every block freed but the last,
        // which keeps the heap's top in place: only a trim of free pages inside the heap returns them.
        var blocks = Enumerable.Range(0, 512).Select(_ => (nint)NativeMemory.Alloc(64 * 1024)).ToArray();
        foreach (var block in blocks) new Span<byte>((void*)block, 64 * 1024).Fill(1);
        foreach (var block in blocks[..^1]) NativeMemory.Free((void*)block);
        try
        {
            Assert.Equal(OperatingSystem.IsLinux(), NativeHeap.Trim());
        }
        finally
        {
            NativeMemory.Free((void*)blocks[^1]);
        }
    }
}
