namespace Ser.Core.Models;

public static class EmotionClassifierExtensions
{
    /// <summary>Probabilities for one clip.</summary>
    public static float[] Predict(this IEmotionClassifier classifier, float[] samples)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        return classifier.PredictBatch([samples])[0];
    }

    /// <summary>Probabilities for each clip, in input order.</summary>
    public static IReadOnlyList<float[]> PredictBatch(this IEmotionClassifier classifier, IReadOnlyList<float[]> clips)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(clips);
        return classifier.PredictBatch(clips.Select(clip => (ReadOnlyMemory<float>)clip).ToArray());
    }
}
