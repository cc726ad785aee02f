using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Ser.Core.Data.Splits;
using Ser.Training.Storage;

namespace Ser.Training.Runs;

/// <summary>The index of runs (SQLite <c>registry.db</c> beside the run folders, or PostgreSQL when processes on several
/// machines share it): list, find, filter, the state each run is in, the active run per architecture and the run leases.
/// A run is marked succeeded only after its model and evaluation files are complete.</summary>
public sealed class RunRegistry
{
    private readonly SqlDatabase _db;

    public RunRegistry(string databasePath) : this(SqlDatabase.Sqlite(databasePath)) { }

    public RunRegistry(SqlDatabase database)
    {
        _db = database ?? throw new ArgumentNullException(nameof(database));
        foreach (var statement in Schema) _db.Execute(statement);
        // A run's whole state lives in its row (status.json is a copy); databases made before these columns gain them.
        _db.AddColumnIfMissing("runs", "started_at", "TEXT");
        _db.AddColumnIfMissing("runs", "attempt", "BIGINT");
        _db.AddColumnIfMissing("runs", "progress", "TEXT");
        _db.AddColumnIfMissing("runs", "resumed_from_step", "BIGINT");
    }

    public SqlDatabase Database => _db;

    private static readonly string[] Schema =
    [
        """
        CREATE TABLE IF NOT EXISTS runs (
          id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT, architecture TEXT NOT NULL, preset TEXT NOT NULL,
          dataset TEXT NOT NULL, split_strategy TEXT NOT NULL, split_seed BIGINT NOT NULL, split_hash TEXT,
          speaker_independent BIGINT NOT NULL, state TEXT NOT NULL, created_at TEXT NOT NULL, finished_at TEXT,
          wa DOUBLE PRECISION, ua DOUBLE PRECISION, macro_f1 DOUBLE PRECISION, training_seconds DOUBLE PRECISION,
          device TEXT NOT NULL, error TEXT)
        """,
        "CREATE TABLE IF NOT EXISTS active (architecture TEXT PRIMARY KEY, run_id TEXT NOT NULL, activated_at TEXT NOT NULL)",
        // Heartbeats in Unix milliseconds: compared as numbers, whatever the database's text collation.
        "CREATE TABLE IF NOT EXISTS run_leases (run_id TEXT PRIMARY KEY, owner TEXT NOT NULL, heartbeat_ms BIGINT NOT NULL)",
    ];

    /// <exception cref="RunExistsException">A run with this id is registered already (nothing is changed).</exception>
    public void Add(RunSpec spec)
    {
        if (!TryAdd(spec)) throw new RunExistsException(spec.RunId);
    }

    /// <summary>Registers a new run (state queued); false when the id is taken, leaving that run as it was.</summary>
    public bool TryAdd(RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return _db.Execute("""
            INSERT INTO runs (id, kind, name, architecture, preset, dataset, split_strategy, split_seed, speaker_independent, state, created_at, device)
            VALUES (@id, @kind, @name, @architecture, @preset, @dataset, @strategy, @seed, @independent, 'queued', @created, @device)
            ON CONFLICT (id) DO NOTHING
            """, ("@id", spec.RunId), ("@kind", spec.Kind), ("@name", spec.Name), ("@architecture", spec.Architecture), ("@preset", spec.Preset),
            ("@dataset", spec.Dataset), ("@strategy", spec.Split.Strategy.Name()), ("@seed", spec.Split.Seed),
            ("@independent", spec.Split.Strategy.IsSpeakerIndependent()), ("@created", spec.CreatedAt.ToString("O")),
            ("@device", spec.Device)) > 0;
    }

    /// <summary>Forgets a run that was never started (its creation was rolled back).</summary>
    public void Remove(string runId) => _db.Execute("DELETE FROM runs WHERE id = @id", ("@id", runId));

    /// <summary>Writes a run's whole state (<see cref="RunStatus"/>) into its row: the one source of truth readers ask.</summary>
    public void SetState(string runId, RunStatus status, string? splitHash = null)
    {
        ArgumentNullException.ThrowIfNull(status);
        _db.Execute("""
            UPDATE runs SET state = @state, error = @error, split_hash = COALESCE(@hash, split_hash), started_at = @started, finished_at = @finished,
              attempt = @attempt, progress = @progress, resumed_from_step = CAST(@resumed AS BIGINT)
            WHERE id = @id
            """, [("@id", runId), .. StatusParameters(status), ("@hash", splitHash)]);
    }

    /// <summary>Records the test figures with the run's final <paramref name="status"/> (succeeded), in one statement.</summary>
    public void Complete(string runId, double wa, double ua, double macroF1, double trainingSeconds, RunStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        _db.Execute("""
            UPDATE runs SET state = @state, error = @error, wa = @wa, ua = @ua, macro_f1 = @f1, training_seconds = @seconds, started_at = @started,
              finished_at = @finished, attempt = @attempt, progress = @progress, resumed_from_step = CAST(@resumed AS BIGINT)
            WHERE id = @id
            """, [("@id", runId), .. StatusParameters(status), ("@wa", wa), ("@ua", ua), ("@f1", macroF1), ("@seconds", trainingSeconds)]);
    }

    // Nulls travel as text (SqlDatabase): resumed_from_step is cast in the statements, for PostgreSQL's BIGINT.
    private static (string, object?)[] StatusParameters(RunStatus status) =>
    [
        ("@state", Name(status.State)), ("@error", status.Error), ("@started", status.StartedAt?.ToString("O")),
        ("@finished", status.FinishedAt?.ToString("O")), ("@attempt", status.Attempt), ("@resumed", status.ResumedFromStep),
        ("@progress", status.Progress is { } p ? JsonSerializer.Serialize(p, Compact) : null),
    ];

    private static readonly JsonSerializerOptions Compact = new(RunStore.Json) { WriteIndented = false };

    /// <summary>Takes the lease on a run for <paramref name="owner"/>: granted when free, already ours, or held by an owner
    /// whose heartbeat is older than <paramref name="staleAfter"/> or who is known dead. Prevents two copies of a run,
    /// across processes and machines: each step is one conditional statement.</summary>
    public bool TryLease(string runId, string owner, TimeSpan staleAfter, Func<string, bool>? ownerIsDead = null)
    {
        var now = NowMs();
        var taken = _db.Execute("""
            INSERT INTO run_leases (run_id, owner, heartbeat_ms) VALUES (@id, @owner, @now)
            ON CONFLICT (run_id) DO UPDATE SET owner = @owner, heartbeat_ms = @now
            WHERE run_leases.owner = @owner OR run_leases.heartbeat_ms < @stale
            """, ("@id", runId), ("@owner", owner), ("@now", now), ("@stale", now - (long)staleAfter.TotalMilliseconds));
        if (taken > 0) return true;
        if (Lease(runId) is not { } held || ownerIsDead?.Invoke(held.Owner) != true) return false;
        // The holder is dead: take over only if nobody else did in the meantime.
        return _db.Execute("UPDATE run_leases SET owner = @owner, heartbeat_ms = @now WHERE run_id = @id AND owner = @holder",
            ("@id", runId), ("@owner", owner), ("@now", now), ("@holder", held.Owner)) > 0;
    }

    /// <summary>Renews the lease; false when <paramref name="owner"/> no longer holds it (taken over as stale, or released).</summary>
    public bool Heartbeat(string runId, string owner) =>
        _db.Execute("UPDATE run_leases SET heartbeat_ms = @now WHERE run_id = @id AND owner = @owner", ("@id", runId), ("@owner", owner), ("@now", NowMs())) > 0;

    public void ReleaseLease(string runId, string owner) =>
        _db.Execute("DELETE FROM run_leases WHERE run_id = @id AND owner = @owner", ("@id", runId), ("@owner", owner));

    /// <summary>The lease holder of a run and its last heartbeat, or null.</summary>
    public (string Owner, DateTimeOffset Heartbeat)? Lease(string runId) =>
        _db.Query("SELECT owner, heartbeat_ms FROM run_leases WHERE run_id = @id",
                r => ((string Owner, DateTimeOffset Heartbeat)?)(r.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1))), ("@id", runId))
            .FirstOrDefault();

    /// <summary>Makes <paramref name="runId"/> the model the service serves for its architecture.</summary>
    public void SetActive(string architecture, string runId) =>
        _db.Execute("INSERT INTO active (architecture, run_id, activated_at) VALUES (@a, @r, @t) ON CONFLICT (architecture) DO UPDATE SET run_id = @r, activated_at = @t",
            ("@a", architecture), ("@r", runId), ("@t", DateTimeOffset.UtcNow.ToString("O")));

    public string? GetActive(string architecture) =>
        _db.Query("SELECT run_id FROM active WHERE architecture = @a", r => r.GetString(0), ("@a", architecture)).FirstOrDefault();

    public RunSummary? Find(string runId) => Query("WHERE id = @id", ("@id", runId)).FirstOrDefault();

    /// <summary>The runs among <paramref name="runIds"/> that exist, in one query.</summary>
    public IReadOnlyDictionary<string, RunSummary> FindMany(IReadOnlyCollection<string> runIds)
    {
        ArgumentNullException.ThrowIfNull(runIds);
        if (runIds.Count == 0) return new Dictionary<string, RunSummary>(StringComparer.Ordinal);
        var parameters = runIds.Select((id, i) => ($"@id{i}", (object?)id)).ToArray();
        return Query($"WHERE id IN ({string.Join(", ", parameters.Select(p => p.Item1))})", parameters)
            .ToDictionary(r => r.RunId, StringComparer.Ordinal);
    }

    /// <summary>Newest first; filters are optional. <paramref name="before"/> (a run's stored created_at text and id) keeps only
    /// the runs listed after it (keyset pagination).</summary>
    public IReadOnlyList<RunSummary> List(string? architecture = null, RunState? state = null, int limit = 100,
        (string CreatedAt, string Id)? before = null)
    {
        var where = new List<string>();
        var parameters = new List<(string, object?)> { ("@limit", limit) };
        if (architecture is not null)
        {
            where.Add("architecture = @a");
            parameters.Add(("@a", architecture));
        }
        if (state is not null)
        {
            where.Add("state = @s");
            parameters.Add(("@s", Name(state.Value)));
        }
        if (before is var (createdAt, id))
        {
            where.Add("(created_at < @c OR (created_at = @c AND id < @id))");
            parameters.Add(("@c", createdAt));
            parameters.Add(("@id", id));
        }
        return Query((where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "") + " ORDER BY created_at DESC, id DESC LIMIT @limit", [.. parameters]);
    }

    private static string Name(RunState state) => state.ToString().ToLowerInvariant();

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private List<RunSummary> Query(string where, params (string Name, object? Value)[] parameters) =>
        _db.Query("SELECT id, kind, name, architecture, preset, dataset, split_strategy, split_seed, split_hash, speaker_independent, "
            + "state, created_at, finished_at, wa, ua, macro_f1, training_seconds, device, error, attempt, started_at, progress, resumed_from_step FROM runs "
            + where, Read, parameters);

    private static RunSummary Read(DbDataReader reader)
    {
        double? Real(int i) => reader.IsDBNull(i) ? null : reader.GetDouble(i);
        string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        return new RunSummary(reader.GetString(0), reader.GetString(1), Text(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
            reader.GetString(6), reader.GetInt64(7), Text(8), reader.GetInt64(9) != 0, Enum.Parse<RunState>(reader.GetString(10), ignoreCase: true),
            DateTimeOffset.Parse(reader.GetString(11), CultureInfo.InvariantCulture),
            Text(12) is { } finished ? DateTimeOffset.Parse(finished, CultureInfo.InvariantCulture) : null,
            Real(13), Real(14), Real(15), Real(16), reader.GetString(17), Text(18), reader.IsDBNull(19) ? 0 : (int)reader.GetInt64(19),
            Text(20) is { } started ? DateTimeOffset.Parse(started, CultureInfo.InvariantCulture) : null,
            Text(21) is { } progress ? JsonSerializer.Deserialize<TrainingProgress>(progress, Compact) : null,
            reader.IsDBNull(22) ? null : reader.GetInt64(22));
    }
}
