using System.Text.Json;
using Ser.Training.Runs;
using Ser.Training.Storage;

namespace Ser.Api.Jobs;

/// <summary>Job records in the service's database (the registry's SQLite file, or PostgreSQL shared by API and worker
/// processes), one JSON document per job. Updates are read-modify-write under a row lock, so the API (cancel) and a
/// worker (progress, state) never overwrite each other's changes.</summary>
public sealed class JobStore
{
    private readonly SqlDatabase _db;

    public JobStore(SqlDatabase database)
    {
        _db = database ?? throw new ArgumentNullException(nameof(database));
        _db.Execute("CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, body TEXT NOT NULL)");
    }

    public JobRecord? Find(string id) =>
        IsId(id) ? _db.Query("SELECT body FROM jobs WHERE id = @id", r => Parse(r.GetString(0)), ("@id", id)).FirstOrDefault() : null;

    /// <summary>Adds a new job; false when a job with that id exists already (another process created it first).</summary>
    public bool TryAdd(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return _db.Execute("INSERT INTO jobs (id, created_at, body) VALUES (@id, @created, @body) ON CONFLICT (id) DO NOTHING",
            ("@id", job.Id), ("@created", job.CreatedAt.ToString("O")), ("@body", Serialize(job))) > 0;
    }

    /// <summary>Reads, changes and writes a record in one transaction holding the row's lock.</summary>
    public JobRecord Update(string id, Func<JobRecord, JobRecord> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        using var connection = _db.Open();
        using var transaction = SqlDatabase.BeginWrite(connection);
        var current = SqlDatabase.Query(connection, transaction, "SELECT body FROM jobs WHERE id = @id" + _db.ForUpdate, r => Parse(r.GetString(0)), ("@id", id))
            .FirstOrDefault() ?? throw new KeyNotFoundException($"No job {id}.");
        var updated = change(current);
        SqlDatabase.Execute(connection, transaction, "UPDATE jobs SET body = @body WHERE id = @id", ("@id", id), ("@body", Serialize(updated)));
        transaction.Commit();
        return updated;
    }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<JobRecord> List() =>
        _db.Query("SELECT body FROM jobs ORDER BY created_at DESC, id DESC", r => Parse(r.GetString(0)));

    public static string NewId() => $"j-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Random.Shared.Next(0x10000):x4}";

    private static JobRecord Parse(string json) => JsonSerializer.Deserialize<JobRecord>(json, RunStore.Json)!;

    private static string Serialize(JobRecord job) => JsonSerializer.Serialize(job, RunStore.Json);

    private static bool IsId(string id) => id.Length is > 2 and < 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
}
