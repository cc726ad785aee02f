using Microsoft.Extensions.Options;
using Ser.Api.Classification;
using Ser.Core.Models;
using Ser.Core.Runtime;

namespace Ser.Api.Hosting;

/// <summary>Process-wide libtorch settings (<see cref="TorchRuntime.Initialize()"/>), made before any job or model runs
/// (registered ahead of the Hangfire server): Float32 serving and training are float32 on every CPU.</summary>
internal sealed class TorchRuntimeStartup(IOptions<InferenceOptions> inference, bool trains, ILogger<TorchRuntimeStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var math = TorchRuntime.Initialize(logger, trains);
        var bf16 = math.Cpu.Bf16Speed;
        if (inference.Value.Precision == InferencePrecision.BFloat16 && !bf16.Faster)
            logger.LogWarning("Ser:Inference:Precision is BFloat16, but on this CPU {Reason}: models on the CPU are served in Float32", bf16.Reason);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
