namespace Ser.Core.Data;

/// <summary>The crowd's audio-only majority vote on a CREMA-D clip (summaryTable.csv: VoiceVote, VoiceLevel).</summary>
/// <param name="Labels">Indices in EmotionLabels.All of the winning label(s); more than one on a tie ("A:N").</param>
/// <param name="Agreement">Mean agreement of the raters, in percent.</param>
public sealed record CrowdVote(IReadOnlyList<int> Labels, double Agreement)
{
    /// <summary>Strict reading: a tie counts as a miss, so only a single winning label is ever "correct".</summary>
    public int? StrictLabel => Labels.Count == 1 ? Labels[0] : null;
}
