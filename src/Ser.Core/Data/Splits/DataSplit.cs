using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ser.Core.IO;

namespace Ser.Core.Data.Splits;

/// <summary>A split as a file: strategy, seed, ratios, the corpus it was made from (name and manifest hash) and the
/// exact speakers and clips of each side, so any result can be traced to the clips it saw. Saved with every run.</summary>
public sealed record DataSplit(
    SplitStrategy Strategy, long Seed, double ValidationFraction, double TestFraction, int Folds, int Fold,
    string Corpus, string ManifestHash, SplitPart Train, SplitPart Validation, SplitPart Test)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>False for the per-clip random split: its results must be labelled speaker-dependent.</summary>
    public bool SpeakerIndependent => Strategy.IsSpeakerIndependent();

    /// <summary>SHA-256 of the split's content (strategy, seed, corpus hash and every clip list).</summary>
    public string Hash
    {
        get
        {
            var text = new StringBuilder()
                .Append(Strategy).Append('|').Append(Seed).Append('|').Append(ManifestHash).Append('|')
                .AppendJoin(',', Train.Clips).Append('|').AppendJoin(',', Validation.Clips).Append('|').AppendJoin(',', Test.Clips);
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
        }
    }

    /// <summary>Fails unless this split was made from <paramref name="corpus"/> (same manifest hash).</summary>
    public void EnsureMadeFrom(Corpus corpus)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        if (corpus.ManifestHash != ManifestHash)
            throw new DatasetException($"This split was made from corpus '{Corpus}' ({ManifestHash[..12]}…), not from '{corpus.Name}' ({corpus.ManifestHash[..12]}…).");
    }

    /// <summary>The clips of one side, in split order, from <paramref name="corpus"/>.</summary>
    public IReadOnlyList<ClipInfo> Resolve(Corpus corpus, SplitPart part)
    {
        EnsureMadeFrom(corpus);
        ArgumentNullException.ThrowIfNull(part);
        var byId = corpus.Clips.ToDictionary(c => c.Id, StringComparer.Ordinal);
        return part.Clips.Select(id => byId[id]).ToArray();
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson());

    public static DataSplit Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<DataSplit>(File.ReadAllText(path), Json) ?? throw new DatasetException($"'{path}' is empty.");
        }
        catch (JsonException e)
        {
            throw new DatasetException($"'{path}' is not a split file: {e.Message}", e);
        }
    }
}
