namespace Ser.Core.Runtime;

/// <summary>Whether Ser's own CPU kernels (attention, linear layers, wav2vec2's feature encoder, ResNet18's convolutions,
/// softmax; all AVX-512) can run in this process: said at start-up and by <c>ser-train math</c>, since without them every
/// layer runs on libtorch, ~2.4× slower on AMD Zen 5 capped at AVX2.</summary>
public static class SerKernels
{
    public static bool Available => RegisterBlock.IsSupported;

    public static string Description => Available
        ? "AVX-512 (each replaces libtorch's where measured faster)"
        : "off: no AVX-512 here (or .NET's is disabled, DOTNET_EnableAVX512=0); every layer runs on libtorch";
}
