using Ser.Core.Runtime;
using Ser.Core.Tests.Models.Wav2Vec2;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Runtime;

/// <summary>Process-wide settings: run alone so no other test sees them change mid-way.</summary>
[CollectionDefinition(nameof(TorchRuntimeTests), DisableParallelization = true)]
[Collection(nameof(TorchRuntimeTests))]
public sealed class TorchRuntimeTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-rt-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void Medium_matmul_precision_is_applied_and_keeps_wav2vec2_parity_within_1e_4()
    {
        var before = TorchRuntime.Float32MatmulPrecision();
        try
        {
            Assert.True(TorchRuntime.TrySetFloat32MatmulPrecision("medium"));
            Assert.Equal("medium", TorchRuntime.Float32MatmulPrecision());

            foreach (var model in Wav2Vec2Fixture.Models)
            {
                using var classifier = Wav2Vec2Fixture.Load(model, parametrizations: false, _temp, weighted: true);
                var cases = Wav2Vec2Fixture.Cases(model);
                using var scope = NewDisposeScope();
                using var mode = inference_mode();
                var diff = Wav2Vec2Fixture.MaxAbsDiff(classifier.forward(cases["input_values_1"], null), cases["logits_weighted_1"]);
                Assert.True(diff <= 1e-4, $"{model}: max abs diff {diff}");
            }
        }
        finally
        {
            TorchRuntime.TrySetFloat32MatmulPrecision(before ?? "highest");
        }
    }

    [Fact]
    public void An_unknown_precision_is_refused() =>
        Assert.Throws<ArgumentException>(() => TorchRuntime.TrySetFloat32MatmulPrecision("low"));

    [Fact]
    public void Keeping_freed_memory_in_the_heap_is_accepted_by_glibc() =>
        Assert.True(TorchRuntime.KeepFreedMemoryInHeap());
}
