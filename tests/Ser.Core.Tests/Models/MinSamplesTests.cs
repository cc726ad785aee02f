using Ser.Core.Features;
using Ser.Core.Models;

namespace Ser.Core.Tests.Models;

/// <summary>Issue 14: each model says how short a clip it can frame, from its own configuration.</summary>
public sealed class MinSamplesTests
{
    [Fact]
    public void The_standard_presets_need_25_ms()
    {
        foreach (var preset in new[] { ModelPresets.Wav2Vec2Tiny, ModelPresets.ResNet18Tiny })
        {
            using var classifier = EmotionClassifierFactory.Create(preset);
            Assert.Equal(400, classifier.MinSamples);
        }
    }

    [Fact]
    public void A_shorter_conv_stack_needs_its_own_receptive_field()
    {
        var preset = ModelPresets.Wav2Vec2Tiny with
        {
            Name = "wav2vec2-short",
            Wav2Vec2 = ModelPresets.Wav2Vec2Tiny.Wav2Vec2! with { ConvDim = [64, 64, 64], ConvKernel = [10, 3, 3], ConvStride = [5, 2, 2] },
        };
        using var classifier = EmotionClassifierFactory.Create(preset);

        Assert.Equal(40, classifier.MinSamples); // (((1 - 1) · 2 + 3 - 1) · 2 + 3 - 1) · 5 + 10
        Assert.Equal(6, classifier.PredictBatch([new float[classifier.MinSamples]])[0].Length);
    }

    [Fact]
    public void A_wider_fft_needs_a_longer_clip()
    {
        var preset = ModelPresets.ResNet18Tiny with
        {
            Name = "resnet18-fft512",
            ResNet = ModelPresets.ResNet18Tiny.ResNet! with { FrontEnd = new LogMelOptions { NMels = 64, NFft = 512, HopLength = 128 } },
        };
        using var classifier = EmotionClassifierFactory.Create(preset);

        Assert.Equal(512, classifier.MinSamples);
    }
}
