using Ser.Core.Data;
using Ser.Core.Features;
using Ser.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Core.Models.ResNet;

/// <summary>Inference with a spectrogram <see cref="ResNet18"/>: log-mel front end, per-utterance normalisation,
/// fixed windows (see <see cref="SpectrogramWindows"/>), probabilities averaged over a clip's windows. Runs the
/// batch-norm-folded copy (<see cref="FusedResNet18"/>) of the model as it was when this classifier was built.</summary>
public sealed class ResNetEmotionClassifier : IEmotionClassifier
{
    private readonly ResNet18 _model;
    private readonly FusedResNet18 _fused;
    private readonly LogMelSpectrogram _frontEnd;
    private readonly Device _device;
    private readonly int[] _labelMap;
    private readonly long _window;
    private readonly ScalarType _dtype;
    private readonly bool _ownsModel;

    /// <param name="model">Disposed with this classifier unless <paramref name="ownsModel"/> is false (a trainer's
    /// validation view; the model is switched to eval mode either way).</param>
    public ResNetEmotionClassifier(ResNet18 model, ResNetSpec spec, IReadOnlyList<string> labels, string preset,
        Device? device = null, int maxBatch = 32, InferencePrecision precision = InferencePrecision.Float32, bool ownsModel = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count != model.NumClasses)
            throw new ArgumentException($"{labels.Count} labels for a model with {model.NumClasses} outputs.", nameof(labels));
        _device = device ?? CPU;
        _model = model;
        _model.to(_device);
        _model.eval();
        Precision = precision;
        _ownsModel = ownsModel;
        _dtype = precision == InferencePrecision.BFloat16 ? ScalarType.BFloat16 : ScalarType.Float32;
        _fused = new FusedResNet18(_model, _dtype);
        _frontEnd = new LogMelSpectrogram(spec.FrontEnd, _device);
        Spec = spec;
        _window = spec.WindowFrames;
        ModelLabels = labels;
        Preset = preset;
        MaxBatch = Math.Max(1, maxBatch);
        _labelMap = EmotionLabels.MapModelLabels(labels);
        LabelsSupported = EmotionLabels.All.Where((_, i) => _labelMap[i] >= 0).ToArray();
        ParameterCount = model.parameters().Sum(p => p.numel());
    }

    public string Architecture => ModelArchitectures.ResNet18;

    public string Preset { get; }

    public ResNetSpec Spec { get; }

    public IReadOnlyList<string> ModelLabels { get; }

    public IReadOnlyList<string> LabelsSupported { get; }

    public long ParameterCount { get; }

    public string DeviceName => _device.ToString();

    public int MaxBatch { get; }

    public InferencePrecision Precision { get; }

    public int MinSamples => Spec.FrontEnd.NFft;

    public ResNet18 Model => _model;

    public IReadOnlyList<float[]> PredictBatch(IReadOnlyList<ReadOnlyMemory<float>> clips)
    {
        ArgumentNullException.ThrowIfNull(clips);
        using var mode = inference_mode();
        using var scope = NewDisposeScope();
        // Every window of every clip, as (clip index, [mels, window]).
        var windows = new List<(int Clip, Tensor Input)>();
        using (OnThisThreadAlone())
            for (var c = 0; c < clips.Count; c++)
            {
                if (clips[c].IsEmpty) throw new ArgumentException($"Clip {c} is empty.", nameof(clips));
                var normalized = SpectrogramWindows.Normalize(_frontEnd.ComputeClip(clips[c].Span));
                foreach (var start in SpectrogramWindows.Starts(normalized.shape[1], _window))
                    windows.Add((c, SpectrogramWindows.Window(normalized, start, _window)));
            }
        var sums = new double[clips.Count][];
        var counts = new int[clips.Count];
        foreach (var chunk in windows.Chunk(MaxBatch))
        {
            Tensor input;
            using (OnThisThreadAlone())
            {
                input = stack(chunk.Select(w => w.Input), 0).unsqueeze(1);
                if (_model.InChannels == 3) input = input.expand(-1, 3, -1, -1);
                input = input.to(_dtype);
            }
            var probabilities = _fused.Forward(input).to(ScalarType.Float32).softmax(-1).cpu();
            for (var i = 0; i < chunk.Length; i++)
            {
                var p = probabilities[i].data<float>().ToArray();
                var sum = sums[chunk[i].Clip] ??= new double[p.Length];
                for (var k = 0; k < p.Length; k++) sum[k] += p[k];
                counts[chunk[i].Clip]++;
            }
        }
        return sums.Select((s, c) => EmotionLabels.Reorder(s.Select(v => (float)(v / counts[c])).ToArray(), _labelMap)).ToArray();
    }

    // Ser's kernels split a forward on .NET's thread pool; a libtorch operator on more threads just before it would
    // leave OpenMP workers spinning ~5 ms beside them (libgomp), so where those kernels may run, the front end and the
    // batch's assembly run on the calling thread alone (resnet18, one clip on 2 threads, AMD Zen 5: 11.6 -> 8.9 ms back
    // to back, 15.7 -> 10.7 ms after 50 ms idle; CPU 29 -> 19 ms a call).
    private IntraOpThreads.Scope OnThisThreadAlone() => _fused.HasSerKernels ? IntraOpThreads.Use(1) : default;

    public void Dispose()
    {
        if (_ownsModel) _model.Dispose();
        _fused.Dispose();
        _frontEnd.Dispose();
    }
}
