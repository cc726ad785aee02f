using System.Globalization;

namespace Ser.Core.Data.CremaD;

/// <summary>CREMA-D's tables, embedded in Ser.Core (ODbL / DbCL): the manifest of the public release (size and
/// SHA-256 of all 7,442 WAVs), actor demographics and the crowd's audio-only votes.</summary>
public static class CremaDMetadata
{
    public const string KnownBadClip = "1076_MTI_SAD_XX";

    private static readonly Lazy<IReadOnlyDictionary<string, ManifestEntry>> LazyManifest = new(() =>
        Rows("manifest.csv").ToDictionary(r => r["file"], r => new ManifestEntry(r["file"],
            long.Parse(r["bytes"], CultureInfo.InvariantCulture), r["sha256"]), StringComparer.Ordinal));

    private static readonly Lazy<IReadOnlyDictionary<int, ActorInfo>> LazyActors = new(() =>
        Rows("VideoDemographics.csv").ToDictionary(r => int.Parse(r["ActorID"], CultureInfo.InvariantCulture), r => new ActorInfo(
            int.Parse(r["ActorID"], CultureInfo.InvariantCulture), int.Parse(r["Age"], CultureInfo.InvariantCulture),
            r["Sex"].ToLowerInvariant(), r["Race"], r["Ethnicity"])));

    private static readonly Lazy<IReadOnlyDictionary<string, CrowdVote>> LazyVotes = new(() =>
        Rows("summaryTable.csv").ToDictionary(r => r["FileName"], r => new CrowdVote(
            r["VoiceVote"].Split(':').Select(VoteLabel).ToArray(),
            // Ties carry one agreement per winning label ("37.2:58.6"): keep the highest.
            r["VoiceLevel"].Split(':').Max(v => double.Parse(v, CultureInfo.InvariantCulture))), StringComparer.Ordinal));

    /// <summary>File name (with .wav) → size and SHA-256.</summary>
    public static IReadOnlyDictionary<string, ManifestEntry> Manifest => LazyManifest.Value;

    public static IReadOnlyDictionary<int, ActorInfo> Actors => LazyActors.Value;

    /// <summary>Clip id (no extension) → the crowd's audio-only vote.</summary>
    public static IReadOnlyDictionary<string, CrowdVote> Votes => LazyVotes.Value;

    /// <summary>The licence text the tables come with.</summary>
    public static string License => new StreamReader(Open("LICENSE.txt")).ReadToEnd();

    public sealed record ManifestEntry(string File, long Bytes, string Sha256);

    public sealed record ActorInfo(int Actor, int Age, string Sex, string Race, string Ethnicity);

    private static int VoteLabel(string code) => code switch
    {
        "N" => 0, "H" => 1, "A" => 2, "S" => 3, "F" => 4, "D" => 5,
        _ => throw new DatasetException($"Unknown crowd vote code '{code}'."),
    };

    private static IEnumerable<IReadOnlyDictionary<string, string>> Rows(string resource)
    {
        using var reader = new StreamReader(Open(resource));
        foreach (var row in CsvReader.Read(reader)) yield return row;
    }

    internal static Stream Open(string resource) =>
        typeof(CremaDMetadata).Assembly.GetManifestResourceStream("Ser.Core.CremaD." + resource)
        ?? throw new InvalidOperationException($"Embedded resource {resource} is missing from Ser.Core.");
}
