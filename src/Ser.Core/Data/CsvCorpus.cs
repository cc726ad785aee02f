using Ser.Core.Data.CremaD;

namespace Ser.Core.Data;

/// <summary>A second corpus in the same "file + label + speaker" shape: a CSV with columns <c>file</c>, <c>label</c>,
/// <c>speaker</c> and optionally <c>sex</c>, paths relative to the CSV's folder. Labels are mapped by name onto the
/// six emotions (<c>neu</c>, <c>happiness</c>, <c>ANG</c>, …); rows it cannot use are excluded with a reason.</summary>
public static class CsvCorpus
{
    public const string Kind = "csv";

    /// <param name="path">The CSV file, or a folder holding <c>manifest.csv</c>.</param>
    public static Corpus Load(string name, string path)
    {
        var csv = Directory.Exists(path) ? Path.Combine(path, "manifest.csv") : path;
        if (!File.Exists(csv)) throw new DatasetException($"No CSV manifest at '{csv}'.");
        var root = Path.GetDirectoryName(Path.GetFullPath(csv))!;
        var clips = new List<ClipInfo>();
        var excluded = new List<ExcludedClip>();
        using var reader = new StreamReader(csv);
        foreach (var row in CsvReader.Read(reader))
        {
            var file = row.GetValueOrDefault("file") ?? "";
            var full = Path.GetFullPath(Path.Combine(root, file));
            string? reason = file.Length == 0 ? "no file column"
                : !full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? "path leaves the manifest's folder"
                : !File.Exists(full) ? "file does not exist"
                : string.IsNullOrWhiteSpace(row.GetValueOrDefault("speaker")) ? "no speaker"
                : EmotionLabels.IndexOf(row.GetValueOrDefault("label") ?? "") is null ? $"label '{row.GetValueOrDefault("label")}' is none of the six emotions"
                : null;
            if (reason is not null)
            {
                excluded.Add(new ExcludedClip(file, reason));
                continue;
            }
            var sex = row.GetValueOrDefault("sex")?.Trim().ToLowerInvariant();
            clips.Add(new ClipInfo(Path.ChangeExtension(file, null).Replace('\\', '/'), full, EmotionLabels.IndexOf(row["label"])!.Value,
                row["speaker"].Trim(), sex is "male" or "female" ? sex : null));
        }
        if (clips.Count == 0) throw new DatasetException($"'{csv}' lists no usable clip.");
        return new Corpus(name, Kind, root, clips, excluded);
    }
}
