using System.Diagnostics;
using Microsoft.Extensions.Options;
using Ser.Core.Models;
using Ser.Core.Runtime;
using Ser.Training.Runs;
using Ser.Api.Classification;

namespace Ser.Api.Models;

/// <summary>Loads runs from the registry and run folders, and Hugging Face / torchvision folders, on the inference device,
/// with the folder's calibration (<c>calibration.json</c>) and the <c>uncertain</c> threshold it gives.</summary>
public sealed class ModelLoader(IOptions<InferenceOptions> inference, RunStore store, RunRegistry registry, ILogger<ModelLoader> logger) : IModelLoader
{
    public ServedModel LoadRun(string runId)
    {
        var spec = store.ReadSpec(runId);
        var summary = registry.Find(runId);
        var device = TorchDevices.Resolve(inference.Value.Device);
        // Read before the weights: a bad file fails the load like a bad checkpoint, with nothing to dispose.
        var calibration = ModelCalibration.TryLoad(store.Model(runId));
        var (classifier, cost) = WarmedUp(EmotionClassifierFactory.Load(spec.Architecture, store.Model(runId), device, spec.Preset, PrecisionOn(device)));
        var metrics = summary?.Wa is { } wa ? new TestMetrics(wa, summary.Ua ?? 0, summary.MacroF1 ?? 0) : null;
        return new ServedModel(classifier, runId, "registry", spec.Dataset, summary?.SplitHash, metrics, store.ReadBf16Drift(runId))
        {
            Calibration = calibration,
            Abstain = AbstainPolicy.Resolve(inference.Value, spec.Architecture, calibration),
            PassCost = cost,
        };
    }

    public ServedModel LoadFolder(string architecture, string path)
    {
        var device = TorchDevices.Resolve(inference.Value.Device);
        var full = Path.GetFullPath(path);
        var calibration = ModelCalibration.TryLoad(full); // none beside a bare .pth/.safetensors file
        var (classifier, cost) = WarmedUp(EmotionClassifierFactory.Load(architecture, full, device, precision: PrecisionOn(device)));
        return new ServedModel(classifier, null, "folder", Path.GetFileName(full.TrimEnd('/')), null, null)
        {
            Calibration = calibration,
            Abstain = AbstainPolicy.Resolve(inference.Value, architecture, calibration),
            PassCost = cost,
        };
    }

    // 8 s of quiet noise (fixed seed): long enough for every form a clip can take (the positional conv's from 4 s,
    // wav2vec2's attention over 384 frames from 7.7 s).
    private static readonly float[] WarmUpClip = QuietNoise(8 * 16_000);

    // What a pass's cost is timed on: 2 s, the shortest window a preset takes.
    private static readonly float[] CostClip = QuietNoise(2 * 16_000);

    private static float[] QuietNoise(int samples)
    {
        var random = new Random(7);
        return Enumerable.Range(0, samples).Select(_ => (float)(0.01 * (random.NextDouble() - 0.5))).ToArray();
    }

    // One clip through the model before it serves, so oneDNN compiles its kernels and the process measures its forms
    // (Ser.Core.Runtime.MeasuredChoice) now, not in the first request (wav2vec2-base: ~1 s on 2 cores), at each thread
    // count its passes may take (PassThreadShares: an even share, one, all): which form is fastest depends on the count.
    // Then its cost on one thread and on all, by which the service shares the threads; not where Ser:Inference:PassThreads
    // fixes the share (timing other counts would only measure forms no pass runs).
    private (IEmotionClassifier Classifier, PassCost? Cost) WarmedUp(IEmotionClassifier classifier)
    {
        try
        {
            var threads = TorchSharp.torch.get_num_threads();
            var known = MeasuredChoice.Made.Keys.ToHashSet(StringComparer.Ordinal);
            foreach (var count in inference.Value.WarmUpThreads(threads))
                using (IntraOpThreads.Use(count)) classifier.PredictBatch([WarmUpClip]);
            var forms = MeasuredChoice.Made.Where(c => !known.Contains(c.Key)).OrderBy(c => c.Key, StringComparer.Ordinal)
                .Select(c => $"{c.Key}: {(c.Value ? "second" : "first")}").ToList();
            if (forms.Count > 0) logger.LogInformation("{Architecture} measured its forms: {Forms}", classifier.Architecture, forms);
            var cost = inference.Value.PassThreads > 0 ? null : Cost(classifier, threads);
            NativeHeap.Trim(); // the warm-up's tensors, freed but kept by glibc (both tiny presets on 2 cores: ~240 MB)
            return (classifier, cost);
        }
        catch
        {
            classifier.Dispose();
            throw;
        }
    }

    // Best of three passes over CostClip (or the model's shortest clip, if longer) on one thread and on all, in turns:
    // the share is chosen from them for as long as the model serves, so a pause of the machine (a VM's stolen time)
    // should slow both counts alike, not one count's passes only.
    private static PassCost Cost(IEmotionClassifier classifier, int threads)
    {
        var clip = classifier.MinSamples > CostClip.Length ? QuietNoise(classifier.MinSamples) : CostClip;
        TimeSpan one = TimeSpan.MaxValue, all = TimeSpan.MaxValue;
        for (var round = 0; round < 3; round++)
        {
            one = Min(one, Timed(classifier, clip, 1));
            all = Min(all, Timed(classifier, clip, threads));
        }
        return new PassCost(one, all, threads);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Timed(IEmotionClassifier classifier, float[] clip, int threads)
    {
        using var scope = IntraOpThreads.Use(threads);
        var started = Stopwatch.GetTimestamp();
        classifier.PredictBatch([clip]);
        return Stopwatch.GetElapsedTime(started);
    }

    // BFloat16 where it is faster; Float32 on CPUs that would emulate it (each model's /models entry says which).
    private InferencePrecision PrecisionOn(TorchSharp.torch.Device device) =>
        EffectivePrecision.On(inference.Value.Precision, CpuInfo.Current, device.type == TorchSharp.DeviceType.CPU);
}
