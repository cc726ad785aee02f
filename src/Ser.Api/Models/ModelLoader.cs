using Microsoft.Extensions.Options;
using Ser.Core.Models;
using Ser.Training.Runs;
using Ser.Api.Classification;

namespace Ser.Api.Models;

/// <summary>Loads runs from the registry and run folders, and Hugging Face / torchvision folders, on the inference device.</summary>
public sealed class ModelLoader(IOptions<InferenceOptions> inference, RunStore store, RunRegistry registry) : IModelLoader
{
    public ServedModel LoadRun(string runId)
    {
        var spec = store.ReadSpec(runId);
        var summary = registry.Find(runId);
        var classifier = EmotionClassifierFactory.Load(spec.Architecture, store.Model(runId), TorchDevices.Resolve(inference.Value.Device),
            spec.Preset, inference.Value.Precision);
        var metrics = summary?.Wa is { } wa ? new TestMetrics(wa, summary.Ua ?? 0, summary.MacroF1 ?? 0) : null;
        return new ServedModel(classifier, runId, "registry", spec.Dataset, summary?.SplitHash, metrics, store.ReadBf16Drift(runId));
    }

    public ServedModel LoadFolder(string architecture, string path)
    {
        var classifier = EmotionClassifierFactory.Load(architecture, Path.GetFullPath(path), TorchDevices.Resolve(inference.Value.Device),
            precision: inference.Value.Precision);
        return new ServedModel(classifier, null, "folder", Path.GetFileName(Path.GetFullPath(path).TrimEnd('/')), null, null);
    }
}
