using Ser.Core.Features;
using Ser.Core.Models.Wav2Vec2;

namespace Ser.Benchmarks;

/// <summary>Multiply-add FLOPs (2 per MAC) of one forward pass, counted from the architecture.</summary>
internal static class ModelFlops
{
    public static double Wav2Vec2(Wav2Vec2Config c, long samples)
    {
        double flops = 0;
        var length = samples;
        for (var i = 0; i < c.ConvDim.Count; i++)
        {
            length = FrameLength.Conv(length, c.ConvKernel[i], c.ConvStride[i]);
            flops += 2.0 * (i == 0 ? 1 : c.ConvDim[i - 1]) * c.ConvDim[i] * c.ConvKernel[i] * length;
        }
        double f = length, h = c.HiddenSize;
        flops += 2 * c.ConvDim[^1] * h * f;                                        // feature projection
        flops += 2 * (h / c.NumConvPosEmbeddingGroups) * h * c.NumConvPosEmbeddings * f; // positional conv
        flops += c.NumHiddenLayers * (4 * 2 * h * h * f + 2 * 2 * f * f * h + 2 * 2 * h * c.IntermediateSize * f);
        return flops;
    }

    public static double ResNet18(int inChannels, int width, long height, long frames)
    {
        double flops = 0;
        long H = Out(height, 7, 2, 3), W = Out(frames, 7, 2, 3);
        flops += 2.0 * inChannels * width * 49 * H * W;
        H = Out(H, 3, 2, 1); W = Out(W, 3, 2, 1);
        var channels = width;
        for (var stage = 0; stage < 4; stage++)
        {
            var planes = width << stage;
            var stride = stage == 0 ? 1 : 2;
            long h2 = Out(H, 3, stride, 1), w2 = Out(W, 3, stride, 1);
            flops += 2.0 * channels * planes * 9 * h2 * w2 + 2.0 * planes * planes * 9 * h2 * w2; // block 1
            if (stride != 1 || channels != planes) flops += 2.0 * channels * planes * h2 * w2;  // shortcut
            flops += 2 * (2.0 * planes * planes * 9 * h2 * w2);                              // block 2
            (H, W, channels) = (h2, w2, planes);
        }
        return flops + 2.0 * channels * 6;
    }

    private static long Out(long size, int kernel, int stride, int padding) => FrameLength.Conv(size, kernel, stride, padding);
}
