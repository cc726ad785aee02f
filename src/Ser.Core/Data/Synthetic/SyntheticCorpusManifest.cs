using System.Text.Json;
using Ser.Core.IO;

namespace Ser.Core.Data.Synthetic;

/// <summary>The <c>synthetic.json</c> a generated corpus carries: how it was made, and each actor's voice.</summary>
public sealed record SyntheticCorpusManifest(string Notice, int RecipeVersion, long Seed, IReadOnlyList<SyntheticVoice> Actors,
    IReadOnlyList<string> Sentences)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public IReadOnlyDictionary<int, string> Sexes() => Actors.ToDictionary(a => a.Actor, a => a.Sex);

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    public static SyntheticCorpusManifest Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<SyntheticCorpusManifest>(File.ReadAllText(path), Json)
                ?? throw new DatasetException($"'{path}' is empty.");
        }
        catch (JsonException e)
        {
            throw new DatasetException($"'{path}' is not a synthetic corpus manifest: {e.Message}", e);
        }
    }
}
