using Ser.Api.Models;
using Ser.Core.Data;
using Ser.Core.Models;

namespace Ser.Api.Tests.Models;

/// <summary>A classifier whose forward pass the test scripts: fail with an exception for the first passes, then answer;
/// optionally wait at a <see cref="ForwardGate"/> inside the pass.</summary>
internal sealed class ScriptedClassifier(string architecture, params Exception[] failures) : IEmotionClassifier
{
    private int _calls;

    public bool Disposed { get; private set; }

    public string Architecture => architecture;

    public string Preset => architecture + "-scripted";

    public IReadOnlyList<string> ModelLabels => LabelsSupported;

    public IReadOnlyList<string> LabelsSupported { get; init; } = EmotionLabels.All;

    public long ParameterCount => 0;

    public string DeviceName => "cpu";

    public InferencePrecision Precision => InferencePrecision.Float32;

    public int MinSamples { get; init; } = 400;

    /// <summary>Each forward pass waits here until the test opens it.</summary>
    public ForwardGate? Gate { get; init; }

    /// <summary>libtorch's intra-op threads on the calling thread, at each forward pass.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<int> ThreadsSeen { get; } = new();

    public IReadOnlyList<float[]> PredictBatch(IReadOnlyList<ReadOnlyMemory<float>> clips)
    {
        ThreadsSeen.Enqueue(TorchSharp.torch.get_num_threads());
        Gate?.Pass();
        var call = Interlocked.Increment(ref _calls) - 1;
        if (call < failures.Length) throw failures[call];
        return clips.Select(_ => (float[])[0.5f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f]).ToArray();
    }

    public void Dispose() => Disposed = true;
}

/// <summary>Holds forward passes inside the model until the test opens it, and says when one has arrived.</summary>
internal sealed class ForwardGate : IDisposable
{
    private readonly ManualResetEventSlim _open = new();
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Entered => _entered.Task;

    public void Open() => _open.Set();

    public void Pass()
    {
        _entered.TrySetResult();
        // Not a timing check: a test that fails before opening must not leave the batcher's thread waiting for ever.
        if (!_open.Wait(TimeSpan.FromMinutes(5))) throw new TimeoutException("The test never opened the gate.");
    }

    public void Dispose() => _open.Dispose();
}

/// <summary>Serves the given classifiers whatever run or folder is asked for, and remembers what it loaded.</summary>
internal sealed class ScriptedLoader(Func<string, IEmotionClassifier> create, Func<string, PassCost?>? cost = null) : IModelLoader
{
    public List<ServedModel> Loaded { get; } = [];

    public ServedModel LoadRun(string runId) => Remember(new ServedModel(create(runId), runId, "registry", "synthetic", null, null));

    public ServedModel LoadFolder(string architecture, string path) =>
        Remember(new ServedModel(create(architecture), null, "folder", "scripted", null, null) { PassCost = cost?.Invoke(architecture) });

    private ServedModel Remember(ServedModel model)
    {
        lock (Loaded) Loaded.Add(model);
        return model;
    }
}
