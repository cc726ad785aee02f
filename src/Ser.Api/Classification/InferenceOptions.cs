using System.ComponentModel.DataAnnotations;
using Ser.Core.Models;

namespace Ser.Api.Classification;

/// <summary>How the service runs its models (<c>Ser:Inference</c>).</summary>
public sealed class InferenceOptions
{
    public const string Section = "Ser:Inference";

    /// <summary>Clips longer than this are scored in windows of this length.</summary>
    [Range(0.5, 60)]
    public double WindowSeconds { get; set; } = 5;

    [Range(0.1, 60)]
    public double HopSeconds { get; set; } = 2.5;

    /// <summary>Most files in one <c>/classify/batch</c> request.</summary>
    [Range(1, 256)]
    public int MaxBatchFiles { get; set; } = 32;

    /// <summary>Windows waiting per model before new requests get 503 + Retry-After (a 600 s clip is 239 windows).</summary>
    [Range(1, 100_000)]
    public int QueueCapacity { get; set; } = 1024;

    /// <summary>Most audio, in seconds, one <c>/classify/batch</c> request may carry in all (413 beyond).</summary>
    [Range(1, 86_400)]
    public double MaxBatchAudioSeconds { get; set; } = 600;

    /// <summary>Most windows one forward pass takes (requests are batched together up to this).</summary>
    [Range(1, 256)]
    public int MaxBatch { get; set; } = 16;

    /// <summary>libtorch threads each forward pass runs on; 0: libtorch's threads shared among the served models, whose
    /// loops run at once, by their measured cost (<see cref="PassThreadShares"/>). Fixed while the served models are, so
    /// a clip's outputs repeat to the bit.</summary>
    [Range(0, 1024)]
    public int PassThreads { get; set; }

    /// <summary><see cref="PassThreads"/>, or an even share of libtorch's threads: what a model warms up on, before its
    /// cost is known.</summary>
    public int ThreadsPerPass() =>
        PassThreads > 0 ? PassThreads : Math.Max(1, TorchSharp.torch.get_num_threads() / ModelArchitectures.All.Count);

    /// <summary>Every thread count a model's passes may take (<see cref="PassThreadShares"/>) with libtorch on
    /// <paramref name="threads"/>: <see cref="PassThreads"/> where set, else an even share, one and all. A model warms up
    /// on each, since its fastest forms depend on the count (<c>Ser.Core.Runtime.MeasuredChoice</c>).</summary>
    public IReadOnlyList<int> WarmUpThreads(int threads) =>
        PassThreads > 0 ? [PassThreads] : new[] { ThreadsPerPass(), 1, threads }.Distinct().ToList();

    /// <summary>A prediction whose calibrated top probability is below this is flagged <c>uncertain</c>.</summary>
    [Range(0, 1)]
    public double AbstainBelow { get; set; } = 0.4;

    /// <summary>Per architecture: a threshold chosen for a target coverage or risk, or a fixed one (<see cref="AbstainOptions"/>).</summary>
    public Dictionary<string, AbstainOptions> Abstain { get; set; } = new(StringComparer.Ordinal);

    public InferencePrecision Precision { get; set; } = InferencePrecision.Float32;

    /// <summary><c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public string Device { get; set; } = "auto";
}
