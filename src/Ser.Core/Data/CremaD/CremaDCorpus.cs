using System.Security.Cryptography;

namespace Ser.Core.Data.CremaD;

/// <summary>Reads a volume in the public CREMA-D layout (<c>AudioWAV/{actor}_{sentence}_{emotion}_{intensity}.wav</c>,
/// or the WAVs directly in the folder) and joins the embedded demographics and crowd votes.</summary>
/// <remarks>The crowd's votes belong to CREMA-D's own recordings: a clip carries them only when its size (and,
/// when asked, its SHA-256) matches the manifest. A folder holding <c>synthetic.json</c> is Ser's synthetic
/// corpus in the same layout: it never carries them.</remarks>
public static class CremaDCorpus
{
    public const string Kind = "crema-d";
    public const string SyntheticMarker = "synthetic.json";

    /// <exception cref="DatasetException">The folder does not exist or holds no WAV.</exception>
    public static Corpus Load(string name, string root, bool verifyHashes = false)
    {
        var folder = AudioFolder(root);
        var synthetic = File.Exists(Path.Combine(root, SyntheticMarker));
        var syntheticSexes = synthetic ? Synthetic.SyntheticCorpusManifest.Load(Path.Combine(root, SyntheticMarker)).Sexes() : null;
        var clips = new List<ClipInfo>();
        var excluded = new List<ExcludedClip>();
        foreach (var path in Directory.EnumerateFiles(folder, "*.wav").Order(StringComparer.Ordinal))
        {
            var file = Path.GetFileName(path);
            var parsed = CremaDFileName.TryParse(file, out var reason);
            if (parsed is null)
            {
                excluded.Add(new ExcludedClip(file, $"not a CREMA-D name: {reason}"));
                continue;
            }
            if (parsed.Id == CremaDMetadata.KnownBadClip && !synthetic)
            {
                excluded.Add(new ExcludedClip(file, "known faulty clip of the public release (reported by other toolkits)"));
                continue;
            }
            var original = !synthetic && MatchesManifest(path, file, verifyHashes);
            CremaDMetadata.Actors.TryGetValue(parsed.Actor, out var actor);
            var sex = syntheticSexes is null ? actor?.Sex : syntheticSexes.GetValueOrDefault(parsed.Actor);
            clips.Add(new ClipInfo(parsed.Id, Path.GetFullPath(path), parsed.Label, parsed.Actor.ToString(System.Globalization.CultureInfo.InvariantCulture),
                sex, parsed.Intensity, parsed.Sentence, synthetic ? null : actor?.Age, synthetic ? null : actor?.Race,
                synthetic ? null : actor?.Ethnicity, original ? CremaDMetadata.Votes.GetValueOrDefault(parsed.Id) : null));
        }
        if (clips.Count == 0) throw new DatasetException($"No CREMA-D clips in '{folder}'.");
        return new Corpus(name, synthetic ? DatasetKinds.Synthetic : Kind, Path.GetFullPath(root), clips, excluded);
    }

    /// <summary>Where the WAVs are: <c>root/AudioWAV</c> if it exists, else <c>root</c>.</summary>
    public static string AudioFolder(string root)
    {
        if (!Directory.Exists(root)) throw new DatasetException($"Dataset folder '{root}' does not exist.");
        var audio = Path.Combine(root, "AudioWAV");
        return Directory.Exists(audio) ? audio : root;
    }

    public static bool MatchesManifest(string path, string file, bool verifyHash)
    {
        if (!CremaDMetadata.Manifest.TryGetValue(file, out var entry) || new FileInfo(path).Length != entry.Bytes) return false;
        if (!verifyHash) return true;
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream)) == entry.Sha256;
    }
}
