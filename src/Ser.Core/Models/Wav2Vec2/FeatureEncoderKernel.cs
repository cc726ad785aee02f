using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ser.Core.Features;
using Ser.Core.Runtime;
using static TorchSharp.torch;

namespace Ser.Core.Models.Wav2Vec2;

/// <summary>The conv feature encoder's layers on Ser's register block (<see cref="RegisterBlock"/>), time-major,
/// for inference: an output frame's window (kernel × in floats) lies contiguous in the input, so each frame is one row
/// of a product with the tap-major weights [kernel × in, out], read in place; the first layer reads its windows straight
/// from the samples. Bias and GELU are applied as each block is stored. Layers of kernel 3 and stride 2 take output
/// frames in pairs, polyphase: with x_i the input frames from 4u on, y_2u = (x_0 − x_2)W_0 + x_1W_1 + x_2(W_0 + W_2)
/// and y_2u+1 = x_3W_1 + (x_4 − x_2)W_2 + x_2(W_0 + W_2): 5 products of in × out for two frames where their windows
/// make 6 (Winograd's F(2, 2) on the even taps). Each output is summed by one call in a fixed order, so the result does
/// not depend on the thread count. The loops run on libtorch's OpenMP threads (<see cref="OpenMpTeam"/>).</summary>
internal static unsafe class FeatureEncoderKernel
{
    private const int Group = RegisterBlock.Columns;
    private const int Rows = RegisterBlock.Rows;

    // Pairs (or frames) per work item at most: a block's differences (48 × 2 × 512 floats, 196 KB) and one group's four
    // weight matrices (512 KB at 512 inputs) stay in the core's L2 cache.
    private const int BlockRows = 48;

    // What a span over a tensor's memory holds (HostTensors.AsSpan).
    private const long MaxFloats = int.MaxValue / sizeof(float);

    /// <summary>Whether a layer of <paramref name="inputs"/> to <paramref name="outputs"/> channels and this many input and
    /// output floats in all runs here.</summary>
    public static bool Supports(long inputs, long outputs, long inputFloats, long outputFloats) =>
        RegisterBlock.IsSupported && outputs % Group == 0 && (inputs == 1 || inputs % Avx512Lanes.Count == 0)
        && Math.Max(inputFloats, outputFloats) <= MaxFloats;

    /// <summary>GELU(conv(rows) + bias) of contiguous float32 rows [batch, time, in] with contiguous taps [kernel, in,
    /// out] → [batch, frames, out].</summary>
    public static Tensor Layer(Tensor rows, Tensor taps, int stride, ReadOnlySpan<float> bias)
    {
        var (batch, time, channels) = ((int)rows.shape[0], (int)rows.shape[1], (int)rows.shape[2]);
        var (kernel, outputs) = ((int)taps.shape[0], (int)taps.shape[2]);
        var frames = Frames(time, kernel, stride);
        var output = empty(batch, frames, outputs);
        // Pairs read whole vectors of channels (one input channel would read and write past the scratch).
        var paired = kernel == 3 && stride == 2 && frames >= 2 && channels % Avx512Lanes.Count == 0;
        var sum = paired ? (float*)NativeMemory.AlignedAlloc((nuint)((long)channels * outputs * sizeof(float)), 64) : null;
        try
        {
            fixed (float* b = bias)
            {
                var weights = Pointer(taps);
                if (sum != null && RegisterBlock.IsWide) AddOuterTaps<Avx512Lanes>(weights, (long)channels * outputs, sum);
                else if (sum != null) AddOuterTaps<Avx2Lanes>(weights, (long)channels * outputs, sum);
                var layer = new Window((nint)Pointer(rows), (long)time * channels, (long)stride * channels, kernel * channels,
                    channels, (nint)weights, 0, (nint)sum, outputs, (nint)Pointer(output), frames, (nint)b, 0);
                Run(layer, batch, frames, paired);
            }
        }
        finally
        {
            NativeMemory.AlignedFree(sum);
        }
        return output;
    }

    // sum = taps[0] + taps[2], each tap `count` floats: what a pair of frames shares.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddOuterTaps<TLanes>(float* taps, long count, float* sum) where TLanes : struct, IFloatLanes<TLanes>
    {
        for (var i = 0L; i < count; i += TLanes.Count)
            (TLanes.Load(taps + i) + TLanes.Load(taps + (2 * count) + i)).Store(sum + i);
    }

    /// <summary>GELU(conv(samples) + shift) of contiguous float32 samples [batch, length] with one set of taps [kernel,
    /// out] and shifts [out] per item (a group norm folded in) → [batch, frames, out].</summary>
    public static Tensor FirstLayer(Tensor samples, int kernel, int stride, ReadOnlySpan<float> taps, ReadOnlySpan<float> shift)
    {
        var (batch, length) = ((int)samples.shape[0], (int)samples.shape[1]);
        var outputs = shift.Length / batch;
        var frames = Frames(length, kernel, stride);
        var output = empty(batch, frames, outputs);
        fixed (float* w = taps)
        fixed (float* b = shift)
        {
            var layer = new Window((nint)Pointer(samples), length, stride, kernel, 1, (nint)w, (long)kernel * outputs, 0,
                outputs, (nint)Pointer(output), frames, (nint)b, outputs);
            Run(layer, batch, frames, paired: false);
        }
        return output;
    }

    // No frame would leave a window reading past the input's end.
    private static int Frames(int time, int kernel, int stride) => FrameLength.Conv(time, kernel, stride) is > 0 and var frames
        ? (int)frames
        : throw new ArgumentException($"An input of {time} frames is shorter than the kernel ({kernel}).");

    private static void Run(Window layer, int batch, int frames, bool paired)
    {
        var threads = Math.Max(1, get_num_threads());
        // Pairs need the block's differences before any group's products: an item is a block, all groups. Plain frames
        // split by group too.
        var units = paired ? frames / 2 : frames;
        var size = Math.Clamp((units + (4 * threads) - 1) / (4 * threads) / Rows * Rows, Rows, BlockRows);
        var blocks = (units + size - 1) / size;
        var groups = paired ? 1 : layer.Outputs / Group;
        var items = batch * blocks * groups;
        var next = -1;
        void Worker(int worker)
        {
            var scratch = paired ? (float*)NativeMemory.AlignedAlloc((nuint)((long)size * 2 * layer.Channels * sizeof(float)), 64) : null;
            try
            {
                for (var item = Interlocked.Increment(ref next); item < items; item = Interlocked.Increment(ref next))
                {
                    var (image, block, group) = (item / (blocks * groups), item / groups % blocks, item % groups);
                    var (first, last) = (block * size, Math.Min(units, (block + 1) * size));
                    if (paired)
                        layer.Pairs(image, first, last, scratch);
                    else
                        layer.Frames(image, first, last, group);
                }
            }
            finally
            {
                NativeMemory.AlignedFree(scratch);
            }
        }
        OpenMpTeam.Run((thread, _) => Worker(thread));
        // An odd last frame of a paired layer: its window alone.
        if (paired && frames % 2 == 1)
            for (var image = 0; image < batch; image++)
                for (var g = 0; g < layer.Outputs / Group; g++)
                    layer.Frames(image, frames - 1, frames, g);
    }

    private static float* Pointer(Tensor tensor) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(HostTensors.AsSpan(tensor)));

    // One layer's operands. Frame f of an image reads Count floats from its input + f × FrameStep; taps and bias may
    // differ per image (the first layer's folded norm), else their per-image strides are 0.
    private readonly record struct Window(nint Input, long InputPerImage, long FrameStep, int Count, int Channels,
        nint Taps, long TapsPerImage, nint Sum, int Outputs, nint Output, int FrameCount, nint Bias, long BiasPerImage)
    {
        private float* X(int image) => (float*)Input + (image * InputPerImage);

        private float* Y(int image) => (float*)Output + ((long)image * FrameCount * Outputs);

        private float* W(int image, int tap, int group) =>
            (float*)Taps + (image * TapsPerImage) + ((long)tap * Channels * Outputs) + (group * Group);

        private float* B(int image, int group) => Bias == 0 ? null : (float*)Bias + (image * BiasPerImage) + (group * Group);

        // Frames [first, last) of one image for one group of 64 outputs: each frame's window times all taps at once.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Frames(int image, int first, int last, int group)
        {
            var x = X(image);
            var y = Y(image);
            for (var f = first; f < last; f += Rows)
            {
                var rows = Math.Min(Rows, last - f);
                var to = y + ((long)f * Outputs) + (group * Group);
                RegisterBlock.Multiply(x + (f * FrameStep), FrameStep, rows, W(image, 0, group), Outputs, Count, to, Outputs);
                RegisterBlock.Finish(to, Outputs, rows, B(image, group), gelu: true);
            }
        }

        // Output pairs [first, last) of one image (frames 2u and 2u + 1 for each pair u), every group.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Pairs(int image, int first, int last, float* differences)
        {
            var x = X(image);
            var y = Y(image);
            var c = (long)Channels;
            var lda = 4 * c;
            for (var u = first; u < last; u++)
            {
                var x0 = x + (u * lda);
                var x2 = x0 + (2 * c);
                var x4 = x0 + (4 * c);
                var d = differences + ((u - first) * 2 * c);
                if (RegisterBlock.IsWide) Differences<Avx512Lanes>(x0, x2, x4, d, Channels);
                else Differences<Avx2Lanes>(x0, x2, x4, d, Channels);
            }
            for (var g = 0; g < Outputs / Group; g++)
                for (var u = first; u < last; u += Rows)
                {
                    var rows = Math.Min(Rows, last - u);
                    var even = y + (2L * u * Outputs) + (g * Group);
                    var odd = even + Outputs;
                    var ldy = 2L * Outputs;
                    var a = x + (u * lda);
                    var d = differences + ((u - first) * 2 * c);
                    var sum = (float*)Sum + (g * Group);
                    RegisterBlock.Multiply(a + (2 * c), lda, rows, sum, Outputs, Channels, even, ldy, accumulate: false, twin: odd);
                    RegisterBlock.Multiply(d, 2 * c, rows, W(image, 0, g), Outputs, Channels, even, ldy, accumulate: true);
                    RegisterBlock.Multiply(a + c, lda, rows, W(image, 1, g), Outputs, Channels, even, ldy, accumulate: true);
                    RegisterBlock.Multiply(a + (3 * c), lda, rows, W(image, 1, g), Outputs, Channels, odd, ldy, accumulate: true);
                    RegisterBlock.Multiply(d + c, 2 * c, rows, W(image, 2, g), Outputs, Channels, odd, ldy, accumulate: true);
                    RegisterBlock.Finish(even, Outputs, 2 * rows, B(image, g), gelu: true);
                }
        }

        // x0 − x2 and x4 − x2, one frame's channels each, side by side in d.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Differences<TLanes>(float* x0, float* x2, float* x4, float* d, int channels)
            where TLanes : struct, IFloatLanes<TLanes>
        {
            for (var i = 0; i < channels; i += TLanes.Count)
            {
                var middle = TLanes.Load(x2 + i);
                (TLanes.Load(x0 + i) - middle).Store(d + i);
                (TLanes.Load(x4 + i) - middle).Store(d + channels + i);
            }
        }
    }
}
