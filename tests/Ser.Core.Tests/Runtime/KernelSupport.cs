using System.Runtime.Intrinsics.X86;
using Ser.Core.Runtime;

namespace Ser.Core.Tests.Runtime;

/// <summary>Where Ser's kernels run: all of them where the CPU has AVX-512; the product block's (ResNet18's convolutions,
/// linear layers, attention, wav2vec2's feature encoder) also where it has AVX2 and FMA (<see cref="SerKernels.Available"/>). Their
/// tests skip elsewhere; CI runs them again with .NET's AVX-512 disabled, on the AVX2 forms.</summary>
internal static class KernelSupport
{
    /// <summary>Whether this CPU runs all of Ser's kernels (AVX-512).</summary>
    public static bool Avx512 => Avx512F.IsSupported;

    /// <param name="instead">What runs on a CPU without AVX-512, for the skip's message.</param>
    public static void RequireAvx512(string instead)
    {
        if (!Avx512) Assert.Skip($"This CPU has no AVX-512: {instead}.");
    }

    /// <summary>Skips where not even the product block runs (no AVX-512, and no AVX2 with FMA).</summary>
    /// <param name="instead">What runs there, for the skip's message.</param>
    public static void RequireProductBlock(string instead)
    {
        if (!SerKernels.Available) Assert.Skip($"This CPU has neither AVX-512 nor AVX2 with FMA: {instead}.");
    }
}
