using Ser.Core.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ser.Core.Models.ResNet;

/// <summary>TorchSharp's BatchNorm2d with the same parameters, buffers and arithmetic, except that the training
/// forward counts batches with a cached scalar: TorchSharp's own <c>num_batches_tracked.add_(1)</c> makes a temporary
/// scalar the GC may free while libtorch still reads it (BannedSymbols.txt).</summary>
public sealed class SafeBatchNorm2d(long features, double eps = 1e-5, double momentum = 0.1)
    : BatchNorm(features, eps, momentum, affine: true, track_running_stats: true, device: null, dtype: null, name: "BatchNorm2d")
{
    protected override void ValidateInputDimensions(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.ndim != 4) throw new ArgumentException($"expected 4D input, but got {input.ndim}D input.", nameof(input));
    }

    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        var factor = momentum ?? 0.0;
        if (training && track_running_stats && num_batches_tracked is not null)
        {
            num_batches_tracked.add_(Scalars.One, Scalars.One);
            if (momentum is null) factor = 1.0 / num_batches_tracked.item<long>();
        }
        var batchStatistics = training || (running_mean is null && running_var is null);
        var tracked = !training || track_running_stats;
        return nn.functional.batch_norm(input, tracked ? running_mean : null, tracked ? running_var : null, weight, bias, batchStatistics, factor, this.eps);
    }
}
