using Ser.Core.Data;
namespace Ser.Core.Models;

/// <summary>One trained model behind one interface: 16 kHz mono clips in, probabilities over
/// <see cref="EmotionLabels.All"/> (in that order) out. Implementations are safe to call concurrently.</summary>
public interface IEmotionClassifier : IDisposable
{
    /// <summary><c>wav2vec2</c> or <c>resnet18</c>.</summary>
    string Architecture { get; }

    /// <summary>The preset it was built from (e.g. <c>wav2vec2-tiny</c>).</summary>
    string Preset { get; }

    /// <summary>The model's own output labels, in its own order.</summary>
    IReadOnlyList<string> ModelLabels { get; }

    /// <summary>Which of the six labels the model can predict (the others always get 0).</summary>
    IReadOnlyList<string> LabelsSupported { get; }

    long ParameterCount { get; }

    string DeviceName { get; }

    /// <summary>What the network computes in (the audio front end and the softmax are float32 either way).</summary>
    InferencePrecision Precision { get; }

    /// <summary>Fewest 16 kHz samples that fill one frame of the model's front end (Wav2Vec2: its conv stack's receptive
    /// field; ResNet: one STFT window of n_fft). Shorter clips are zero-padded, so they score mostly padding.</summary>
    int MinSamples { get; }

    /// <summary>Probabilities for each clip (any lengths; at least one sample each), in input order. The clips may be
    /// slices of a longer buffer: they are read once, straight into the model's input.</summary>
    IReadOnlyList<float[]> PredictBatch(IReadOnlyList<ReadOnlyMemory<float>> clips);
}
