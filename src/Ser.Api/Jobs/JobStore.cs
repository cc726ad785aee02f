using System.Text.Json;
using Microsoft.Extensions.Options;
using Ser.Api.Serving;
using Ser.Core.IO;
using Ser.Training.Runs;

namespace Ser.Api.Jobs;

/// <summary>Job records as JSON files under <c>{data}/jobs/</c>, each written atomically; updates are serialised.</summary>
public sealed class JobStore(IOptions<ServingOptions> options)
{
    private readonly string _root = Path.Combine(options.Value.FullDataPath, "jobs");
    private readonly Lock _lock = new();

    public JobRecord? Find(string id)
    {
        if (!IsId(id)) return null;
        var path = Path.Combine(_root, id + ".json");
        return File.Exists(path) ? JsonSerializer.Deserialize<JobRecord>(File.ReadAllText(path), RunStore.Json) : null;
    }

    public void Save(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_lock) AtomicFile.WriteAllText(Path.Combine(_root, job.Id + ".json"), JsonSerializer.Serialize(job, RunStore.Json));
    }

    /// <summary>Reads, changes and writes a record under the store's lock.</summary>
    public JobRecord Update(string id, Func<JobRecord, JobRecord> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_lock)
        {
            var updated = change(Find(id) ?? throw new KeyNotFoundException($"No job {id}."));
            AtomicFile.WriteAllText(Path.Combine(_root, id + ".json"), JsonSerializer.Serialize(updated, RunStore.Json));
            return updated;
        }
    }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<JobRecord> List() =>
        Directory.Exists(_root)
            ? Directory.GetFiles(_root, "j-*.json").Select(f => JsonSerializer.Deserialize<JobRecord>(File.ReadAllText(f), RunStore.Json)!)
                .OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.Id, StringComparer.Ordinal).ToArray()
            : [];

    public static string NewId() => $"j-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Random.Shared.Next(0x10000):x4}";

    private static bool IsId(string id) => id.Length is > 2 and < 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
}
