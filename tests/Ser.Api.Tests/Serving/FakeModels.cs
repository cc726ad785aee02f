using Ser.Api.Models;
using Ser.Core.Data;
using Ser.Core.Models;

namespace Ser.Api.Tests.Serving;

/// <summary>A classifier whose forward pass the test scripts: fail with an exception for the first passes, then answer.</summary>
internal sealed class ScriptedClassifier(string architecture, params Exception[] failures) : IEmotionClassifier
{
    private int _calls;

    public bool Disposed { get; private set; }

    public string Architecture => architecture;

    public string Preset => architecture + "-scripted";

    public IReadOnlyList<string> ModelLabels => EmotionLabels.All;

    public IReadOnlyList<string> LabelsSupported => EmotionLabels.All;

    public long ParameterCount => 0;

    public string DeviceName => "cpu";

    public InferencePrecision Precision => InferencePrecision.Float32;

    public IReadOnlyList<float[]> PredictBatch(IReadOnlyList<float[]> clips)
    {
        var call = Interlocked.Increment(ref _calls) - 1;
        if (call < failures.Length) throw failures[call];
        return clips.Select(_ => (float[])[0.5f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f]).ToArray();
    }

    public void Dispose() => Disposed = true;
}

/// <summary>Serves the given classifiers whatever run or folder is asked for, and remembers what it loaded.</summary>
internal sealed class ScriptedLoader(Func<string, IEmotionClassifier> create) : IModelLoader
{
    public List<ServedModel> Loaded { get; } = [];

    public ServedModel LoadRun(string runId) => Remember(new ServedModel(create(runId), runId, "registry", "synthetic", null, null));

    public ServedModel LoadFolder(string architecture, string path) => Remember(new ServedModel(create(architecture), null, "folder", "scripted", null, null));

    private ServedModel Remember(ServedModel model)
    {
        lock (Loaded) Loaded.Add(model);
        return model;
    }
}
