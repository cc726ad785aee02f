namespace Ser.Core.Models.ResNet;

/// <summary>A convolution of <see cref="ResNet18Direct"/> over channels-last (NHWC) float32 maps, with its bias and
/// optionally a residual and ReLU applied as each output is stored.</summary>
internal unsafe interface INhwcConvolution : IDisposable
{
    int In { get; }
    int Out { get; }

    (int Height, int Width) OutputSize(int height, int width);

    /// <summary>Floats of working memory <see cref="Run"/> needs for this many threads (0: none).</summary>
    long ScratchFloats(int threads);

    /// <summary>y = conv(x) + bias (+ residual) (then ReLU), all [batch, height, width, channels].</summary>
    /// <param name="threads">Threads to split the work over (the caller's thread takes part).</param>
    /// <param name="scratch"><see cref="ScratchFloats"/> floats, 64-byte aligned, from the caller: kernels allocate
    /// nothing on the pool's threads.</param>
    void Run(float* x, int batch, int height, int width, float* y, float* residual, bool relu, int threads, float* scratch);
}
