using Ser.Core.Runtime;

namespace Ser.Core.Tests.Runtime;

/// <summary>Ser's kernels run where the CPU has AVX-512 (<see cref="SerKernels.Available"/>); their tests skip
/// elsewhere.</summary>
internal static class Avx512
{
    /// <summary>Whether this CPU runs Ser's AVX-512 kernels.</summary>
    public static bool Supported => SerKernels.Available;

    /// <param name="instead">What runs on a CPU without AVX-512, for the skip's message.</param>
    public static void Require(string instead)
    {
        if (!Supported) Assert.Skip($"This CPU has no AVX-512: {instead}.");
    }
}
