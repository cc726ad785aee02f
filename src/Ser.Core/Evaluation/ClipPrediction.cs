using Ser.Core.Data;
namespace Ser.Core.Evaluation;

/// <summary>One test clip's outcome, kept with every evaluation so any figure can be recomputed.</summary>
/// <param name="Probabilities">Over <see cref="EmotionLabels.All"/>, in that order.</param>
/// <param name="CrowdLabels">The crowd's audio-only vote (CREMA-D's own clips only), or null.</param>
public sealed record ClipPrediction(string Id, int Truth, int Predicted, float[] Probabilities, string? Sex = null,
    string? Intensity = null, IReadOnlyList<int>? CrowdLabels = null)
{
    public bool Correct => Truth == Predicted;
}
