using System.Reflection;
using System.Runtime.CompilerServices;
using Ser.Core.Runtime;

namespace Ser.Core.Tests.Runtime;

/// <summary>Ser's kernels are compiled optimized on their first call. A measured choice times them against libtorch's
/// at a model's load; under tiered compilation they would still run unoptimized code then, and lose (AMD Zen 5: every
/// linear layer of wav2vec2-tiny and resnet18's convolutions went to libtorch in the service, ~1.4x slower).</summary>
public sealed class KernelCompilationTests
{
    public static TheoryData<string, string> Kernels => new()
    {
        { "Ser.Core.Runtime.RegisterBlock", "Multiply" },
        { "Ser.Core.Runtime.RegisterBlock", "Finish" },
        { "Ser.Core.Runtime.AttentionKernel+Pass", "Transpose" },
        { "Ser.Core.Runtime.AttentionKernel+Pass", "Compute" },
        { "Ser.Core.Runtime.AttentionKernel+Pass", "Softmax" },
        { "Ser.Core.Runtime.LinearKernel+Product", "Compute" },
        { "Ser.Core.Runtime.SoftmaxKernel+Pass", "Run" },
        { "Ser.Core.Runtime.SoftmaxKernel+Pass", "Softmax" },
        { "Ser.Core.Runtime.SoftmaxKernel+Pass", "Widen" },
        { "Ser.Core.Runtime.SoftmaxKernel+Pass", "Narrow" },
        { "Ser.Core.Runtime.DropoutKernel+Fill", "DrawFloat" },
        { "Ser.Core.Runtime.DropoutKernel+Fill", "DrawBfloat16" },
        { "Ser.Core.Runtime.AdamWKernel+Update", "Span" },
        { "Ser.Core.Models.Wav2Vec2.FeatureEncoderKernel+Window", "Frames" },
        { "Ser.Core.Models.Wav2Vec2.FeatureEncoderKernel+Window", "Pairs" },
        { "Ser.Core.Models.Wav2Vec2.GroupNormFold", "Fold" },
        { "Ser.Core.Models.Wav2Vec2.GroupNormFold", "Covariance" },
        { "Ser.Core.Models.Wav2Vec2.GroupNormFold", "Dot" },
        { "Ser.Core.Models.ResNet.DirectConvolution", "Block" },
        { "Ser.Core.Models.ResNet.WinogradConvolution", "Block" },
        { "Ser.Core.Models.ResNet.WinogradConvolution", "TransformInput" },
        { "Ser.Core.Models.ResNet.WinogradConvolution", "TransformOutput" },
        { "Ser.Core.Models.ResNet.ResNet18Direct", "MaxPool3x3Stride2" },
        { "Ser.Core.Models.ResNet.ResNet18Direct", "PoolAndClassify" },
        { "Ser.Core.Features.Wav2Vec2InputNormalizer", "Sum" },
    };

    [Theory]
    [MemberData(nameof(Kernels))]
    public void A_kernel_is_compiled_optimized_from_its_first_call(string type, string method)
    {
        var kernel = typeof(MeasuredChoice).Assembly.GetType(type, throwOnError: true)!;
        var methods = kernel.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => m.Name == method).ToArray();

        Assert.NotEmpty(methods);
        Assert.All(methods, m => Assert.True(m.MethodImplementationFlags.HasFlag(MethodImplAttributes.AggressiveOptimization),
            $"{type}.{method} would start as unoptimized code under tiered compilation"));
    }

    /// <summary>The list above, found from the code: a kernel added without the flag, or missing from the list, fails
    /// here. A helper may be inlined into its kernel instead.</summary>
    [Fact]
    public void Every_method_computing_on_hardware_vectors_is_compiled_optimized_or_inlined()
    {
        var methods = VectorMethodScan.ComputingOnVectors(typeof(MeasuredChoice).Assembly).ToArray();
        const MethodImplAttributes Either = MethodImplAttributes.AggressiveOptimization | MethodImplAttributes.AggressiveInlining;

        Assert.Contains(methods, m => m.DeclaringType?.FullName == "Ser.Core.Runtime.RegisterBlock" && m.Name == "Multiply");
        var tiered = methods.Where(m => (m.MethodImplementationFlags & Either) == 0).Select(m => $"{m.DeclaringType}.{m.Name}").ToArray();
        Assert.True(tiered.Length == 0, $"would start as unoptimized code under tiered compilation: {string.Join(", ", tiered)}");
    }
}
