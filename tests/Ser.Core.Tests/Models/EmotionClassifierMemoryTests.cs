using System.Diagnostics;
using Ser.Core.Models;

namespace Ser.Core.Tests.Models;

/// <summary>RSS is process-wide, so these run alone, after the parallel tests.</summary>
[CollectionDefinition(nameof(EmotionClassifierMemoryTests), DisableParallelization = true)]
[Collection(nameof(EmotionClassifierMemoryTests))]
public sealed class EmotionClassifierMemoryTests
{
    public static TheoryData<string> Presets => ["wav2vec2-tiny", "resnet18-tiny"];

    private static float[] Clip(int samples) =>
        Enumerable.Range(0, samples).Select(i => (float)(0.3 * Math.Sin(i * 0.07))).ToArray();

    [Theory]
    [MemberData(nameof(Presets))]
    public void Memory_stays_flat_over_1000_inferences(string preset)
    {
        using var classifier = EmotionClassifierFactory.Create(ModelPresets.Get(preset), seed: 7);
        var clip = Clip(8_000);
        // Warm-up lets the allocator reach its working set (glibc may keep freed memory: see TorchRuntime).
        for (var i = 0; i < 200; i++) classifier.Predict(clip);
        var (rss0, managed0) = Memory();
        for (var i = 0; i < 500; i++) classifier.Predict(clip);
        var (rssHalf, _) = Memory();
        for (var i = 0; i < 500; i++) classifier.Predict(clip);
        var (rss1, managed1) = Memory();

        // A leak grows with every call; allocator slack does not grow in the second half.
        Assert.True(rss1 - rssHalf < 16L << 20, $"native RSS grew {(rss1 - rssHalf) >> 20} MiB over the last 500 inferences");
        Assert.True(rss1 - rss0 < 48L << 20, $"native RSS grew {(rss1 - rss0) >> 20} MiB over 1,000 inferences");
        Assert.True(managed1 - managed0 < 8L << 20, $"managed heap grew {(managed1 - managed0) >> 20} MiB");
    }

    private static (long Rss, long Managed) Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return (process.WorkingSet64, GC.GetTotalMemory(forceFullCollection: true));
    }
}
