using System.Text.Json;
using Ser.Core.IO;
using Ser.Training.Runs;

namespace Ser.Training.CrossValidation;

/// <summary>A k-fold cross-validation started by one request: every fold is its own job (so several workers take them
/// at once), recorded here before any is queued. Saved as <c>{data}/cross-validation/{id}.json</c>.</summary>
public sealed record CrossValidationPlan(string Id, DateTimeOffset CreatedAt, int Folds, long SplitSeed, string Dataset, IReadOnlyList<CrossValidationFold> Jobs)
{
    /// <summary><c>cv-yyyyMMdd-HHmmss-</c> and 64 random bits.</summary>
    public static string NewId() => TimestampId.New("cv");

    /// <summary>Whether <paramref name="id"/> can name a plan (checked before it becomes a file name).</summary>
    public static bool IsId(string id) => id.StartsWith("cv-", StringComparison.Ordinal) && PlainName.IsValid(id) && id.Length < 100;

    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(Path.Combine(folder, Id + ".json"), JsonSerializer.Serialize(this, RunStore.Json));
    }

    /// <summary>The plan saved under <paramref name="folder"/>, or null.</summary>
    public static CrossValidationPlan? Find(string folder, string id)
    {
        if (!IsId(id)) return null;
        var path = Path.Combine(folder, id + ".json");
        return File.Exists(path) ? JsonSerializer.Deserialize<CrossValidationPlan>(File.ReadAllText(path), RunStore.Json) : null;
    }
}
