namespace Ser.Core.Runtime;

/// <summary>Which of Ser's own CPU kernels can run in this process: said at start-up and by <c>ser-train math</c>, since
/// where one cannot its layers run on libtorch. All have an AVX-512 form (attention, linear layers, wav2vec2's feature
/// encoder, ResNet18's convolutions, softmax); those built on the product block (<see cref="RegisterBlock"/>: linear
/// layers, attention, the feature encoder, ResNet18's convolutions) also an AVX2 form, which gives the same bits
/// (attention's row sums aside, in their last bits).</summary>
public static class SerKernels
{
    /// <summary>Whether any of them runs here (at least the product block's, at AVX2).</summary>
    public static bool Available => RegisterBlock.IsSupported;

    public static string Description =>
        RegisterBlock.IsWide ? "AVX-512 (each replaces libtorch's where measured faster)"
        : Available ? "AVX2 (ResNet18's convolutions, linear layers, attention, wav2vec2's feature encoder; each where measured faster than libtorch's); softmax runs on libtorch (its kernel needs AVX-512)"
        : "off: neither AVX-512 nor AVX2 with FMA here (or .NET's are disabled); every layer runs on libtorch";
}
