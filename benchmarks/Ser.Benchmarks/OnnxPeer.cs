using Microsoft.ML.OnnxRuntime;

namespace Ser.Benchmarks;

/// <summary>ONNX Runtime (CPU execution provider, every graph optimisation) running one exported model: the peer each
/// Ser figure is divided by. Benchmark-only; the product never references ONNX Runtime.</summary>
internal sealed class OnnxPeer : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _input;
    private readonly RunOptions _run = new();

    private OnnxPeer(string path, int threads)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(path, options);
        _input = _session.InputNames[0];
    }

    /// <summary>The session for <paramref name="path"/>, or null when the file has not been exported.</summary>
    public static OnnxPeer? TryOpen(string path, int threads) => File.Exists(path) ? new OnnxPeer(path, threads) : null;

    /// <summary>One forward: <paramref name="data"/> shaped <paramref name="shape"/> → the first output, flattened.</summary>
    public float[] Run(float[] data, long[] shape)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(data, shape);
        using var outputs = _session.Run(_run, [_input], [input], _session.OutputNames);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public void Dispose()
    {
        _run.Dispose();
        _session.Dispose();
    }
}
