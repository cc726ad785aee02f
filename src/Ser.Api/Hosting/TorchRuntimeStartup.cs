using Microsoft.Extensions.Options;
using Ser.Api.Serving;
using Ser.Core.Models;
using Ser.Core.Runtime;

namespace Ser.Api.Hosting;

/// <summary>Process-wide libtorch settings, made before any job or model runs (registered ahead of the Hangfire server):
/// freed memory stays in the heap, and the fp32 matmul precision is the fastest one checked exact on this CPU
/// (<see cref="Float32Math"/>), so Float32 serving and training are float32 on every CPU.</summary>
internal sealed class TorchRuntimeStartup(IOptions<InferenceOptions> inference, ILogger<TorchRuntimeStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        TorchRuntime.KeepFreedMemoryInHeap();
        var math = Float32Math.Apply(logger);
        if (inference.Value.Precision == InferencePrecision.BFloat16 && math.Cpu.Bf16Kernels == "emulated")
            logger.LogWarning("Serving in BFloat16 (Ser:Inference:Precision), but this CPU has neither AMX nor AVX512-BF16: bf16 is emulated and slower than Float32");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
