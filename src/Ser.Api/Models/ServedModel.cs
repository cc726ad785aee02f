using Ser.Core.Evaluation;
using Ser.Core.Models;

namespace Ser.Api.Models;

/// <summary>A loaded classifier and what it is. Requests hold a lease while they use it; a model replaced by a hot
/// swap is disposed only once its last lease is released, so no request fails during a swap.</summary>
/// <param name="bf16Drift">The run's measured bfloat16 drift on its test clips, when known.</param>
public sealed class ServedModel(IEmotionClassifier classifier, string? runId, string source, string dataset, string? splitHash,
    TestMetrics? testMetrics, PrecisionDrift? bf16Drift = null)
{
    private int _leases;
    private int _retired;
    private int _disposed;

    public IEmotionClassifier Classifier => classifier;

    public string Architecture => classifier.Architecture;

    public string? RunId => runId;

    /// <summary><c>registry</c> or <c>folder</c>.</summary>
    public string Source => source;

    public string Dataset => dataset;

    public string? SplitHash => splitHash;

    public TestMetrics? TestMetrics => testMetrics;

    public PrecisionDrift? Bf16Drift => bf16Drift;

    /// <summary>The temperature served probabilities are scaled by, from the model folder; null: served as the model gives them.</summary>
    public ModelCalibration? Calibration { get; init; }

    /// <summary>Where <c>uncertain</c> starts; null: <c>Ser:Inference:AbstainBelow</c>.</summary>
    public Classification.AbstainThreshold? Abstain { get; init; }

    /// <summary>Its forward pass timed after the warm-up; null where not measured.</summary>
    public PassCost? PassCost { get; init; }

    public DateTimeOffset LoadedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>False once the model has been retired; take the host's current one instead.</summary>
    public bool TryAcquire()
    {
        Interlocked.Increment(ref _leases);
        if (Volatile.Read(ref _retired) == 0) return true;
        Release();
        return false;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _leases) == 0 && Volatile.Read(ref _retired) == 1) DisposeOnce();
    }

    /// <summary>Marks the model replaced; it is disposed when the last lease ends (now, if none is held).</summary>
    public void Retire()
    {
        Interlocked.Exchange(ref _retired, 1);
        if (Volatile.Read(ref _leases) == 0) DisposeOnce();
    }

    private void DisposeOnce()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) classifier.Dispose();
    }
}
