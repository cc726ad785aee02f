namespace Ser.Core.Models;

public static class EmotionClassifierExtensions
{
    /// <summary>Probabilities for one clip.</summary>
    public static float[] Predict(this IEmotionClassifier classifier, float[] samples)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        return classifier.PredictBatch([samples])[0];
    }
}
