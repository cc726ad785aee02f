using System.Security.Cryptography;
using System.Text;

namespace Ser.Core.Data;

/// <summary>A labelled speech corpus as the trainers see it: clips in a stable order (by id), plus what was
/// left out and why. <see cref="Kind"/> says whether the human baseline may be reported for it.</summary>
public sealed class Corpus
{
    public Corpus(string name, string kind, string root, IEnumerable<ClipInfo> clips, IEnumerable<ExcludedClip>? excluded = null)
    {
        Name = name;
        Kind = kind;
        Root = root;
        Clips = clips.OrderBy(c => c.Id, StringComparer.Ordinal).ToArray();
        Excluded = excluded?.ToArray() ?? [];
        var duplicate = Clips.GroupBy(c => c.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new DatasetException($"Corpus '{name}' lists clip '{duplicate.Key}' more than once.");
        ManifestHash = ComputeHash(Clips);
    }

    public string Name { get; }

    /// <summary><c>crema-d</c> (the real recordings, checked against the embedded manifest), <c>csv</c> or <c>synthetic</c>.</summary>
    public string Kind { get; }

    public string Root { get; }

    public IReadOnlyList<ClipInfo> Clips { get; }

    public IReadOnlyList<ExcludedClip> Excluded { get; }

    /// <summary>SHA-256 over every clip's id, label and speaker: splits record it, so a split is only ever
    /// applied to the corpus it was made from.</summary>
    public string ManifestHash { get; }

    private static string ComputeHash(IEnumerable<ClipInfo> clips)
    {
        var text = new StringBuilder();
        foreach (var c in clips) text.Append(c.Id).Append(',').Append(c.Label).Append(',').Append(c.Speaker).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
