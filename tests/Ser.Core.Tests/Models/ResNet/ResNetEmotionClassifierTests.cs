using Ser.Core.Data;
using Ser.Core.Models;
using Ser.Core.Models.ResNet;
using Ser.Core.Runtime;
using Ser.Core.Tests.Runtime;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Models.ResNet;

/// <summary>The spectrogram classifier end to end: front end, windows, the folded model.</summary>
public sealed class ResNetEmotionClassifierTests
{
    // Where Ser's kernels run the forward (AVX-512 or AVX2) the front end runs on the calling thread alone, so no part of the
    // result depends on the thread count; elsewhere oneDNN's forward does (last bits).
    [Fact]
    public void A_clips_probabilities_are_the_same_bits_on_one_thread_and_on_three()
    {
        KernelSupport.RequireProductBlock("ResNet18 runs on libtorch's kernels");
        manual_seed(11);
        var spec = ModelPresets.ResNet18.ResNet!;
        using var classifier = new ResNetEmotionClassifier(new ResNet18(6, spec.InChannels, spec.BaseWidth), spec,
            EmotionLabels.All, "resnet18");
        // 4.5 s: two windows, the second padded; a chirp with noise so every mel band carries energy.
        var random = new Random(4);
        var clip = Enumerable.Range(0, 72_000)
            .Select(i => (float)((0.3 * Math.Sin(2 * Math.PI * (200 + (i / 40.0)) * i / 16_000)) + (0.05 * (random.NextDouble() - 0.5))))
            .ToArray();

        float[] On(int threads)
        {
            using var use = IntraOpThreads.Use(threads);
            return classifier.PredictBatch([clip])[0];
        }
        var one = On(1);
        var three = On(3);

        Assert.Equal(6, one.Length);
        Assert.InRange(one.Sum(), 0.999f, 1.001f);
        // The forward's kernels are a measured choice per thread count; oneDNN's, where faster, differ in the last bits.
        var forward = MeasuredChoice.Made.Where(c => c.Key.StartsWith("resnet18 width 64 1x128x301 ", StringComparison.Ordinal)
            && (c.Key.EndsWith(MeasuredChoice.KeyAt("", 1), StringComparison.Ordinal)
                || c.Key.EndsWith(MeasuredChoice.KeyAt("", 3), StringComparison.Ordinal))).ToList();
        Assert.NotEmpty(forward);
        if (!forward.All(c => c.Value)) Assert.Skip("oneDNN's convolutions were measured faster at one of the thread counts.");
        Assert.Equal(one, three);
    }
}
