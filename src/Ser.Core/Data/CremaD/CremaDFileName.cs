using System.Globalization;

namespace Ser.Core.Data.CremaD;

/// <summary>A CREMA-D clip name, <c>{actor}_{sentence}_{emotion}_{intensity}.wav</c> (e.g. 1001_DFA_ANG_XX.wav).</summary>
public sealed record CremaDFileName(int Actor, string Sentence, string Emotion, string Intensity)
{
    public static readonly string[] Sentences = ["DFA", "IEO", "IOM", "ITH", "ITS", "IWL", "IWW", "MTI", "TAI", "TIE", "TSI", "WSI"];
    public static readonly string[] Intensities = ["LO", "MD", "HI", "XX"];

    /// <summary>CREMA-D's emotion codes in <see cref="EmotionLabels.All"/> order.</summary>
    public static readonly string[] EmotionCodes = ["NEU", "HAP", "ANG", "SAD", "FEA", "DIS"];

    public string Id => $"{Actor}_{Sentence}_{Emotion}_{Intensity}";

    public string FileName => Id + ".wav";

    /// <summary>Index of the emotion in <see cref="EmotionLabels.All"/>.</summary>
    public int Label => Array.IndexOf(EmotionCodes, Emotion);

    /// <summary>Parses a name (with or without <c>.wav</c>); null with a reason when it is not a CREMA-D name.</summary>
    public static CremaDFileName? TryParse(string name, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(name);
        var stem = name.EndsWith(".wav", StringComparison.OrdinalIgnoreCase) ? name[..^4] : name;
        var parts = stem.Split('_');
        reason = parts.Length != 4 ? "not of the form actor_sentence_emotion_intensity"
            : !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var actor) || actor is < 1001 or > 1091 ? $"actor '{parts[0]}' is not 1001–1091"
            : !Sentences.Contains(parts[1]) ? $"unknown sentence '{parts[1]}'"
            : !EmotionCodes.Contains(parts[2]) ? $"unknown emotion '{parts[2]}'"
            : !Intensities.Contains(parts[3]) ? $"unknown intensity '{parts[3]}'"
            : null;
        return reason is null ? new CremaDFileName(int.Parse(parts[0], CultureInfo.InvariantCulture), parts[1], parts[2], parts[3]) : null;
    }
}
