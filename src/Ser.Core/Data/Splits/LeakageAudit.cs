using System.Security.Cryptography;

namespace Ser.Core.Data.Splits;

/// <summary>What leaks between a split's sides (train–validation, train–test, validation–test): shared speakers, shared
/// sentences and byte-identical audio. A speaker-independent split must share neither speakers nor audio; sentences
/// are reported only (CREMA-D's 91 actors all read the same 12).</summary>
/// <param name="HashedClips">Clips whose audio was hashed (0 when the files were not read).</param>
public sealed record LeakageAudit(IReadOnlyList<LeakagePair> Pairs, int HashedClips)
{
    /// <summary>Distinct speakers heard on more than one side.</summary>
    public int SharedSpeakers => Pairs.SelectMany(p => p.Speakers).Distinct(StringComparer.Ordinal).Count();

    public int SharedSentences => Pairs.Select(p => p.Sentences.Count).DefaultIfEmpty(0).Max();

    public int IdenticalAudioGroups => Pairs.Sum(p => p.IdenticalAudio.Count);

    /// <summary>Audits <paramref name="split"/> on <paramref name="corpus"/>; <paramref name="audioHash"/> gives each clip's
    /// content hash (null: audio not compared).</summary>
    public static LeakageAudit Of(DataSplit split, Corpus corpus, Func<ClipInfo, string>? audioHash)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(corpus);
        var sides = new[] { ("train", split.Train), ("validation", split.Validation), ("test", split.Test) }
            .Select(s => (Name: s.Item1, Clips: split.Resolve(corpus, s.Item2))).ToArray();
        var hashes = audioHash is null ? null : sides.SelectMany(s => s.Clips).ToDictionary(c => c.Id, audioHash, StringComparer.Ordinal);
        var pairs = new List<LeakagePair>();
        for (var a = 0; a < sides.Length; a++)
            for (var b = a + 1; b < sides.Length; b++)
                pairs.Add(Pair(sides[a].Name + "-" + sides[b].Name, sides[a].Clips, sides[b].Clips, hashes));
        return new LeakageAudit(pairs, hashes?.Count ?? 0);
    }

    /// <summary>SHA-256 of the clip's file, lower-case hex.</summary>
    public static string FileHash(ClipInfo clip)
    {
        ArgumentNullException.ThrowIfNull(clip);
        using var stream = File.OpenRead(clip.Path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Why a speaker-independent split may not be used, or null when it may.</summary>
    public string? Violation(DataSplit split)
    {
        ArgumentNullException.ThrowIfNull(split);
        if (!split.SpeakerIndependent) return null;
        var speakers = Pairs.Where(p => p.Speakers.Count > 0).Select(p => $"{p.Parts}: {string.Join(", ", p.Speakers.Take(5))}").ToArray();
        var audio = Pairs.Where(p => p.IdenticalAudio.Count > 0).Select(p => $"{p.Parts}: {string.Join("; ", p.IdenticalAudio.Take(3).Select(g => string.Join(" = ", g)))}").ToArray();
        if (speakers.Length == 0 && audio.Length == 0) return null;
        return $"The {split.Strategy.Name()} split is meant to be speaker-independent but its sides share "
            + string.Join(" and ", new[] { speakers.Length > 0 ? $"speakers ({string.Join("; ", speakers)})" : null,
                audio.Length > 0 ? $"identical audio ({string.Join(" | ", audio)})" : null }.OfType<string>())
            + ". Remove the duplicate files or fix the speaker ids; the random strategy accepts speaker overlap (speaker-dependent results).";
    }

    private static LeakagePair Pair(string name, IReadOnlyList<ClipInfo> a, IReadOnlyList<ClipInfo> b, Dictionary<string, string>? hashes)
    {
        var speakers = a.Select(c => c.Speaker).Intersect(b.Select(c => c.Speaker), StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var sentences = a.Select(c => c.Sentence).OfType<string>().Intersect(b.Select(c => c.Sentence).OfType<string>(), StringComparer.Ordinal)
            .Order(StringComparer.Ordinal).ToArray();
        IReadOnlyList<IReadOnlyList<string>> identical = [];
        if (hashes is not null)
        {
            var right = b.GroupBy(c => hashes[c.Id], StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(c => c.Id).ToArray(), StringComparer.Ordinal);
            identical = a.GroupBy(c => hashes[c.Id], StringComparer.Ordinal).Where(g => right.ContainsKey(g.Key))
                .Select(g => (IReadOnlyList<string>)g.Select(c => c.Id).Concat(right[g.Key]).ToArray())
                .OrderBy(g => g[0], StringComparer.Ordinal).ToArray();
        }
        return new LeakagePair(name, speakers, sentences, identical);
    }
}
