using System.Text.Json;
using Ser.Training.Runs;
using Ser.Training.Storage;

namespace Ser.Api.Jobs;

/// <summary>Job records in the service's database (the registry's SQLite file, or PostgreSQL shared by API and worker
/// processes), one JSON document per job. Updates are read-modify-write under a row lock, so the API (cancel) and a
/// worker (progress, state) never overwrite each other's changes. An <c>Idempotency-Key</c> is a column with a unique
/// index, so of any number of requests racing with one key exactly one creates the job.</summary>
public sealed class JobStore
{
    /// <summary>How long an <c>Idempotency-Key</c> names its job; after that the key may start a new one.</summary>
    public static readonly TimeSpan IdempotencyWindow = TimeSpan.FromHours(24);

    private readonly SqlDatabase _db;

    public JobStore(SqlDatabase database)
    {
        _db = database ?? throw new ArgumentNullException(nameof(database));
        // created_ms: created_at in Unix milliseconds, for the key's window (compared as numbers, whatever the collation).
        _db.Execute("CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, body TEXT NOT NULL, idempotency_key TEXT, created_ms BIGINT)");
        // Databases made before the key had a column (their older keys stay in the bodies only and are not matched).
        AddColumnIfMissing("idempotency_key", "TEXT");
        AddColumnIfMissing("created_ms", "BIGINT");
        // state: a copy of the body's, so lists filter and Prometheus counts in SQL.
        AddColumnIfMissing("state", "TEXT");
        _db.Execute("CREATE UNIQUE INDEX IF NOT EXISTS jobs_idempotency_key ON jobs (idempotency_key)");
        _db.Execute("CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created_ms, id)");
        _db.Execute("CREATE INDEX IF NOT EXISTS jobs_state_created ON jobs (state, created_ms, id)");
        Backfill();
    }

    public JobRecord? Find(string id) =>
        IsId(id) ? _db.Query("SELECT body FROM jobs WHERE id = @id", r => Parse(r.GetString(0)), ("@id", id)).FirstOrDefault() : null;

    /// <summary>Adds a new job; false when its id or its idempotency key is taken (another request or process created
    /// that job first: <see cref="Find"/>, <see cref="FindByIdempotencyKey"/>). A key older than
    /// <see cref="IdempotencyWindow"/> is released to the new job in the same transaction.</summary>
    public bool TryAdd(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var now = job.CreatedAt.ToUnixTimeMilliseconds();
        using var connection = _db.Open();
        using var transaction = SqlDatabase.BeginWrite(connection);
        if (job.IdempotencyKey is { } key)
            SqlDatabase.Execute(connection, transaction, "UPDATE jobs SET idempotency_key = NULL WHERE idempotency_key = @key AND created_ms < @cutoff",
                ("@key", key), ("@cutoff", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (long)IdempotencyWindow.TotalMilliseconds));
        // No conflict target: a taken id and a taken key both leave the existing row as it is.
        var added = SqlDatabase.Execute(connection, transaction, """
            INSERT INTO jobs (id, created_at, body, idempotency_key, created_ms, state) VALUES (@id, @created, @body, @key, @ms, @state)
            ON CONFLICT DO NOTHING
            """, ("@id", job.Id), ("@created", job.CreatedAt.ToString("O")), ("@body", Serialize(job)), ("@key", job.IdempotencyKey),
            ("@ms", now), ("@state", Name(job.State))) > 0;
        transaction.Commit();
        return added;
    }

    /// <summary>The job created with <paramref name="key"/> within <see cref="IdempotencyWindow"/>, or null (one indexed lookup).</summary>
    public JobRecord? FindByIdempotencyKey(string key) =>
        _db.Query("SELECT body FROM jobs WHERE idempotency_key = @key AND created_ms >= @cutoff", r => Parse(r.GetString(0)),
            ("@key", key), ("@cutoff", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (long)IdempotencyWindow.TotalMilliseconds)).FirstOrDefault();

    /// <summary>Deletes a job that was never handed to Hangfire (its creation was rolled back), freeing its key.</summary>
    public void Remove(string id) => _db.Execute("DELETE FROM jobs WHERE id = @id", ("@id", id));

    /// <summary>Reads, changes and writes a record in one transaction holding the row's lock.</summary>
    public JobRecord Update(string id, Func<JobRecord, JobRecord> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        using var connection = _db.Open();
        using var transaction = SqlDatabase.BeginWrite(connection);
        var current = SqlDatabase.Query(connection, transaction, "SELECT body FROM jobs WHERE id = @id" + _db.ForUpdate, r => Parse(r.GetString(0)), ("@id", id))
            .FirstOrDefault() ?? throw new KeyNotFoundException($"No job {id}.");
        var updated = change(current);
        SqlDatabase.Execute(connection, transaction, "UPDATE jobs SET body = @body, state = @state WHERE id = @id", ("@id", id), ("@body", Serialize(updated)),
            ("@state", Name(updated.State)));
        transaction.Commit();
        return updated;
    }

    /// <summary>Every job in <paramref name="state"/>, filtered in SQL (recovery passes scan running jobs only).</summary>
    public IReadOnlyList<JobRecord> InState(JobState state) =>
        _db.Query("SELECT body FROM jobs WHERE state = @state ORDER BY created_ms DESC, id DESC", r => Parse(r.GetString(0)), ("@state", Name(state)));

    /// <summary>Jobs whose id starts with <paramref name="prefix"/> (letters, digits and '-' only), newest first.</summary>
    public IReadOnlyList<JobRecord> WithIdPrefix(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        if (!prefix.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')) throw new ArgumentException("Only letters, digits and '-'.", nameof(prefix));
        return _db.Query("SELECT body FROM jobs WHERE id LIKE @prefix ORDER BY created_ms DESC, id DESC", r => Parse(r.GetString(0)), ("@prefix", prefix + "%"));
    }

    /// <summary>One page, newest first: at most <paramref name="limit"/> jobs created strictly before <paramref name="before"/>
    /// (keyset on created_ms, id), and whether more follow.</summary>
    public (IReadOnlyList<JobRecord> Items, bool More) Page(JobState? state, int limit, (long CreatedMs, string Id)? before)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var where = new List<string>();
        var parameters = new List<(string, object?)> { ("@limit", limit + 1) };
        if (state is { } s)
        {
            where.Add("state = @state");
            parameters.Add(("@state", Name(s)));
        }
        if (before is var (ms, id))
        {
            where.Add("(created_ms < @ms OR (created_ms = @ms AND id < @id))");
            parameters.Add(("@ms", ms));
            parameters.Add(("@id", id));
        }
        var rows = _db.Query("SELECT body FROM jobs " + (where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")
            + " ORDER BY created_ms DESC, id DESC LIMIT @limit", r => Parse(r.GetString(0)), [.. parameters]);
        return rows.Count > limit ? (rows.GetRange(0, limit), true) : (rows, false);
    }

    /// <summary>How many jobs are in each state (one GROUP BY; states with none are absent).</summary>
    public IReadOnlyDictionary<JobState, int> CountByState() =>
        _db.Query("SELECT state, COUNT(*) FROM jobs WHERE state IS NOT NULL GROUP BY state",
                r => (State: Enum.Parse<JobState>(r.GetString(0), ignoreCase: true), Count: (int)r.GetInt64(1)))
            .ToDictionary(r => r.State, r => r.Count);

    /// <summary><c>j-yyyyMMdd-HHmmss-</c> and 64 random bits (<see cref="TimestampId"/>).</summary>
    public static string NewId() => TimestampId.New("j");

    private static string Name(JobState state) => state.ToString().ToLowerInvariant();

    /// <summary>Rows written before the state column (and old ones before created_ms) get theirs from the body, once.</summary>
    private void Backfill()
    {
        foreach (var job in _db.Query("SELECT body FROM jobs WHERE state IS NULL OR created_ms IS NULL", r => Parse(r.GetString(0))))
            _db.Execute("UPDATE jobs SET state = COALESCE(state, @state), created_ms = COALESCE(created_ms, @ms) WHERE id = @id", ("@id", job.Id), ("@state", Name(job.State)),
                ("@ms", job.CreatedAt.ToUnixTimeMilliseconds()));
    }

    private static JobRecord Parse(string json) => JsonSerializer.Deserialize<JobRecord>(json, RunStore.Json)!;

    private static string Serialize(JobRecord job) => JsonSerializer.Serialize(job, RunStore.Json);

    private void AddColumnIfMissing(string name, string type) => _db.AddColumnIfMissing("jobs", name, type);

    private static bool IsId(string id) => id.Length is > 2 and < 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
}
