using System.Text.Json;
using Ser.Core.Data.CremaD;

namespace Ser.Core.Data.Splits;

/// <summary>The fixed actor-disjoint split of CREMA-D that audEERING's crema-d database publishes (56/17/18 actors for
/// train/dev/test), embedded so results are comparable across tools. Speakers are CREMA-D actor ids (1001–1091).</summary>
public static class StandardSplit
{
    private static readonly Lazy<(string Source, IReadOnlySet<string> Train, IReadOnlySet<string> Dev, IReadOnlySet<string> Test)> Parts = new(Read);

    /// <summary>Where the actor lists come from (database, version, file).</summary>
    public static string Source => Parts.Value.Source;

    public static IReadOnlySet<string> Train => Parts.Value.Train;

    /// <summary>The development actors: Ser's validation side.</summary>
    public static IReadOnlySet<string> Dev => Parts.Value.Dev;

    public static IReadOnlySet<string> Test => Parts.Value.Test;

    private static (string, IReadOnlySet<string>, IReadOnlySet<string>, IReadOnlySet<string>) Read()
    {
        using var stream = CremaDMetadata.Open("standard-split.json");
        using var json = JsonDocument.Parse(stream);
        IReadOnlySet<string> Actors(string part) => json.RootElement.GetProperty(part).EnumerateArray()
            .Select(a => a.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet(StringComparer.Ordinal);
        return (json.RootElement.GetProperty("source").GetString()!, Actors("train"), Actors("dev"), Actors("test"));
    }
}
