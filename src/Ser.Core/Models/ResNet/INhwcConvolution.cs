namespace Ser.Core.Models.ResNet;

/// <summary>A convolution of <see cref="ResNet18Direct"/> over channels-last (NHWC) float32 maps, with its bias and
/// optionally a residual and ReLU applied as each output is stored.</summary>
internal unsafe interface INhwcConvolution : IDisposable
{
    int In { get; }
    int Out { get; }

    (int Height, int Width) OutputSize(int height, int width);

    /// <summary>y = conv(x) + bias (+ residual) (then ReLU), all [batch, height, width, channels].</summary>
    /// <param name="threads">Threads to split the work over (the caller's thread takes part).</param>
    void Run(float* x, int batch, int height, int width, float* y, float* residual, bool relu, int threads);
}
