using System.Runtime.InteropServices;
using Ser.Tests;
using Ser.Core.Runtime;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Runtime;

/// <summary>Process-wide settings: run alone so no other test sees them change mid-way.</summary>
[CollectionDefinition(nameof(TorchRuntimeTests), DisableParallelization = true)]
[Collection(nameof(TorchRuntimeTests))]
public sealed class TorchRuntimeTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-rt-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void The_checked_float32_math_keeps_pytorch_parity_within_1e_4_on_this_cpu()
    {
        var before = TorchRuntime.Float32MatmulPrecision();
        try
        {
            // Whatever the check decides on this CPU (medium where oneDNN is exact, highest where it would use bf16), Float32
            // must stay float32: the fixtures' PyTorch fp32 logits within 1e-4.
            var math = Float32Math.Measure();
            Assert.True(TorchRuntime.TrySetFloat32MatmulPrecision(math.MatmulPrecision));
            Assert.Equal(math.MatmulPrecision, TorchRuntime.Float32MatmulPrecision());
            Assert.True(math.ExactError <= Float32Math.Tolerance, $"plain fp32 kernels are off by {math.ExactError}");

            foreach (var model in Wav2Vec2Fixture.Models)
            {
                using var classifier = Wav2Vec2Fixture.Load(model, parametrizations: false, _temp, weighted: true);
                var cases = Wav2Vec2Fixture.Cases(model);
                using var scope = NewDisposeScope();
                using var mode = inference_mode();
                foreach (var i in new[] { 0, 1 })
                {
                    var diff = Wav2Vec2Fixture.MaxAbsDiff(classifier.forward(cases[$"input_values_{i}"], null), cases[$"logits_weighted_{i}"]);
                    Assert.True(diff <= 1e-4, $"{model} case {i} under {math.MatmulPrecision}: max abs diff {diff}");
                }
            }
        }
        finally
        {
            TorchRuntime.TrySetFloat32MatmulPrecision(before ?? "highest");
        }
    }

    [Fact]
    public void The_check_is_made_once_per_process_and_leaves_its_choice_in_force()
    {
        var before = TorchRuntime.Float32MatmulPrecision();
        try
        {
            var first = TorchRuntime.Initialize();
            Assert.Same(first, TorchRuntime.Initialize());
            Assert.Equal(first.MatmulPrecision, TorchRuntime.Float32MatmulPrecision());
        }
        finally
        {
            TorchRuntime.TrySetFloat32MatmulPrecision(before ?? "highest");
        }
    }

    [Fact]
    public void An_unknown_precision_is_refused() =>
        Assert.Throws<ArgumentException>(() => TorchRuntime.TrySetFloat32MatmulPrecision("low"));

    [Fact]
    public void Keeping_freed_memory_in_the_heap_is_accepted_by_glibc() =>
        Assert.True(TorchRuntime.KeepFreedMemoryInHeap());

    // A worker thread's own glibc heap grows in pieces of up to 64 MiB; a block that does not fit beside a held one gets a
    // new piece, which glibc unmapped when the block was freed (10,240 page faults per 40 MiB cycle) until M_TOP_PAD.
    // Several threads, as a thread may be given glibc's main heap, where this never happened. A thread shares its heap
    // with threads of earlier tests: in about 1 run in 6 beside the ResNet tests (at commit 1fb6edd too) the first
    // thread paid one cycle's faults (10,242) once. So each thread measures its 4 cycles up to 3 times and the fewest
    // faults count; without M_TOP_PAD every try pays ~40,960.
    [Fact]
    public void Worker_threads_reuse_freed_memory_without_page_faults()
    {
        Assert.True(TorchRuntime.KeepFreedMemoryInHeap());
        const int Size = 40 << 20, Pages = Size / 4096;
        var faults = new long[4];
        for (var t = 0; t < faults.Length; t++)
        {
            var worker = new Thread(() =>
            {
                var held = Touched(Marshal.AllocHGlobal(Size));
                Marshal.FreeHGlobal(Touched(Marshal.AllocHGlobal(Size)));
                faults[t] = long.MaxValue;
                for (var attempt = 0; attempt < 3 && faults[t] > Pages / 10; attempt++)
                {
                    var before = ThreadPageFaults();
                    for (var i = 0; i < 4; i++) Marshal.FreeHGlobal(Touched(Marshal.AllocHGlobal(Size)));
                    faults[t] = Math.Min(faults[t], ThreadPageFaults() - before);
                }
                Marshal.FreeHGlobal(held);
            });
            worker.Start();
            worker.Join();
        }

        Assert.All(faults, f => Assert.InRange(f, 0, Pages / 10));

        static IntPtr Touched(IntPtr block)
        {
            for (var offset = 0; offset < Size; offset += 4096) Marshal.WriteByte(block, offset, 1);
            return block;
        }
    }

    // Minor faults of the calling thread: field 10 of /proc/thread-self/stat, counted after the name's closing parenthesis.
    private static long ThreadPageFaults()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        return long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[7], System.Globalization.CultureInfo.InvariantCulture);
    }
}
