namespace Ser.Core.Data;

/// <summary>The six CREMA-D emotions in the one order every output uses, and the mapping of a checkpoint's
/// own label names (<c>neu</c>, <c>Happiness</c>, <c>ANG</c>, …) onto them.</summary>
public static class EmotionLabels
{
    public static readonly IReadOnlyList<string> All = ["neutral", "happy", "angry", "sad", "fear", "disgust"];

    public static int Count => All.Count;

    private static readonly Dictionary<string, int> Synonyms = new(StringComparer.OrdinalIgnoreCase)
    {
        ["neutral"] = 0, ["neu"] = 0, ["n"] = 0,
        ["happy"] = 1, ["hap"] = 1, ["happiness"] = 1, ["joy"] = 1, ["h"] = 1,
        ["angry"] = 2, ["ang"] = 2, ["anger"] = 2, ["a"] = 2,
        ["sad"] = 3, ["sadness"] = 3, ["s"] = 3,
        ["fear"] = 4, ["fea"] = 4, ["fearful"] = 4, ["afraid"] = 4, ["f"] = 4,
        ["disgust"] = 5, ["dis"] = 5, ["disgusted"] = 5, ["d"] = 5,
    };

    /// <summary>Index in <see cref="All"/> of a label name, or null when it is none of the six.</summary>
    public static int? IndexOf(string name) =>
        Synonyms.TryGetValue(name.Trim(), out var i) ? i : null;

    /// <summary>For each of the six labels, the index of the model output that carries it, or -1.</summary>
    public static int[] MapModelLabels(IReadOnlyList<string> modelLabels)
    {
        ArgumentNullException.ThrowIfNull(modelLabels);
        var map = Enumerable.Repeat(-1, Count).ToArray();
        for (var i = 0; i < modelLabels.Count; i++)
            if (IndexOf(modelLabels[i]) is { } target && map[target] < 0) map[target] = i;
        return map;
    }

    /// <summary>Reorders model probabilities into <see cref="All"/>'s order. Labels the model lacks get 0; mass on
    /// labels outside the six is dropped and the rest renormalised, so the result sums to 1.</summary>
    public static float[] Reorder(ReadOnlySpan<float> modelProbabilities, int[] map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var result = new float[Count];
        double sum = 0;
        for (var i = 0; i < Count; i++)
        {
            result[i] = map[i] >= 0 ? modelProbabilities[map[i]] : 0f;
            sum += result[i];
        }
        if (sum > 0)
            for (var i = 0; i < Count; i++) result[i] = (float)(result[i] / sum);
        return result;
    }
}
