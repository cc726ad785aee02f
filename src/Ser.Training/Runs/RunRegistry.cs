using System.Globalization;
using Microsoft.Data.Sqlite;
using Ser.Core.Data.Splits;

namespace Ser.Training.Runs;

/// <summary>The index of runs in SQLite (<c>registry.db</c> beside the run folders): list, find, filter, and the
/// state each run is in. A run is marked succeeded only after its model and evaluation files are complete.</summary>
public sealed class RunRegistry
{
    private readonly string _connectionString;

    public RunRegistry(string databasePath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(databasePath))!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString();
        Execute("""
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS runs (
              id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT, architecture TEXT NOT NULL, preset TEXT NOT NULL,
              dataset TEXT NOT NULL, split_strategy TEXT NOT NULL, split_seed INTEGER NOT NULL, split_hash TEXT,
              speaker_independent INTEGER NOT NULL, state TEXT NOT NULL, created_at TEXT NOT NULL, finished_at TEXT,
              wa REAL, ua REAL, macro_f1 REAL, training_seconds REAL, device TEXT NOT NULL, error TEXT);
            CREATE TABLE IF NOT EXISTS active (architecture TEXT PRIMARY KEY, run_id TEXT NOT NULL, activated_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS leases (run_id TEXT PRIMARY KEY, owner TEXT NOT NULL, heartbeat TEXT NOT NULL);
            """);
    }

    public void Add(RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Execute("""
            INSERT INTO runs (id, kind, name, architecture, preset, dataset, split_strategy, split_seed, speaker_independent, state, created_at, device)
            VALUES ($id, $kind, $name, $architecture, $preset, $dataset, $strategy, $seed, $independent, 'queued', $created, $device)
            """, ("$id", spec.RunId), ("$kind", spec.Kind), ("$name", spec.Name), ("$architecture", spec.Architecture), ("$preset", spec.Preset),
            ("$dataset", spec.Dataset), ("$strategy", spec.Split.Strategy.Name()), ("$seed", spec.Split.Seed),
            ("$independent", spec.Split.Strategy != SplitStrategy.Random), ("$created", spec.CreatedAt.ToString("O")),
            ("$device", spec.Device));
    }

    public void SetState(string runId, RunState state, string? error = null, string? splitHash = null) =>
        Execute("""
            UPDATE runs SET state = $state, error = $error, split_hash = COALESCE($hash, split_hash),
              finished_at = CASE WHEN $state IN ('succeeded', 'failed', 'cancelled') THEN $now ELSE NULL END
            WHERE id = $id
            """, ("$id", runId), ("$state", Name(state)), ("$error", error), ("$hash", splitHash), ("$now", DateTimeOffset.UtcNow.ToString("O")));

    /// <summary>Records the test figures and marks the run succeeded, in one statement.</summary>
    public void Complete(string runId, double wa, double ua, double macroF1, double trainingSeconds) =>
        Execute("""
            UPDATE runs SET state = 'succeeded', error = NULL, wa = $wa, ua = $ua, macro_f1 = $f1, training_seconds = $seconds, finished_at = $now
            WHERE id = $id
            """, ("$id", runId), ("$wa", wa), ("$ua", ua), ("$f1", macroF1), ("$seconds", trainingSeconds), ("$now", DateTimeOffset.UtcNow.ToString("O")));

    /// <summary>Takes the lease on a run for <paramref name="owner"/>: granted when free, already ours, or held by an owner
    /// whose heartbeat is older than <paramref name="staleAfter"/> or who is known dead. Prevents two copies of a run.</summary>
    public bool TryLease(string runId, string owner, TimeSpan staleAfter, Func<string, bool>? ownerIsDead = null)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        using var read = connection.CreateCommand();
        read.CommandText = "SELECT owner, heartbeat FROM leases WHERE run_id = $id";
        read.Parameters.AddWithValue("$id", runId);
        using (var reader = read.ExecuteReader())
        {
            if (reader.Read())
            {
                var holder = reader.GetString(0);
                var beat = DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture);
                var free = holder == owner || DateTimeOffset.UtcNow - beat > staleAfter || ownerIsDead?.Invoke(holder) == true;
                if (!free) return false;
            }
        }
        using var write = connection.CreateCommand();
        write.CommandText = "INSERT INTO leases (run_id, owner, heartbeat) VALUES ($id, $owner, $now) ON CONFLICT(run_id) DO UPDATE SET owner = $owner, heartbeat = $now";
        write.Parameters.AddWithValue("$id", runId);
        write.Parameters.AddWithValue("$owner", owner);
        write.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToString("O"));
        write.ExecuteNonQuery();
        transaction.Commit();
        return true;
    }

    public void Heartbeat(string runId, string owner) =>
        Execute("UPDATE leases SET heartbeat = $now WHERE run_id = $id AND owner = $owner",
            ("$id", runId), ("$owner", owner), ("$now", DateTimeOffset.UtcNow.ToString("O")));

    public void ReleaseLease(string runId, string owner) =>
        Execute("DELETE FROM leases WHERE run_id = $id AND owner = $owner", ("$id", runId), ("$owner", owner));

    /// <summary>The lease holder of a run and its last heartbeat, or null.</summary>
    public (string Owner, DateTimeOffset Heartbeat)? Lease(string runId)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT owner, heartbeat FROM leases WHERE run_id = $id";
        command.Parameters.AddWithValue("$id", runId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetString(0), DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture)) : null;
    }

    /// <summary>Makes <paramref name="runId"/> the model the service serves for its architecture.</summary>
    public void SetActive(string architecture, string runId) =>
        Execute("INSERT INTO active (architecture, run_id, activated_at) VALUES ($a, $r, $t) ON CONFLICT(architecture) DO UPDATE SET run_id = $r, activated_at = $t",
            ("$a", architecture), ("$r", runId), ("$t", DateTimeOffset.UtcNow.ToString("O")));

    public string? GetActive(string architecture)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT run_id FROM active WHERE architecture = $a";
        command.Parameters.AddWithValue("$a", architecture);
        return command.ExecuteScalar() as string;
    }

    public RunSummary? Find(string runId) => Query("WHERE id = $id", ("$id", runId)).FirstOrDefault();

    /// <summary>Newest first; filters are optional.</summary>
    public IReadOnlyList<RunSummary> List(string? architecture = null, RunState? state = null, int limit = 100) =>
        Query("WHERE ($a IS NULL OR architecture = $a) AND ($s IS NULL OR state = $s) ORDER BY created_at DESC, id DESC LIMIT $limit",
            ("$a", architecture), ("$s", state is null ? null : Name(state.Value)), ("$limit", limit));

    private static string Name(RunState state) => state.ToString().ToLowerInvariant();

    private List<RunSummary> Query(string where, params (string Name, object? Value)[] parameters)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, kind, name, architecture, preset, dataset, split_strategy, split_seed, split_hash, speaker_independent, "
            + "state, created_at, finished_at, wa, ua, macro_f1, training_seconds, device, error FROM runs " + where;
        Bind(command, parameters);
        using var reader = command.ExecuteReader();
        var result = new List<RunSummary>();
        while (reader.Read())
        {
            double? Real(int i) => reader.IsDBNull(i) ? null : reader.GetDouble(i);
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            result.Add(new RunSummary(reader.GetString(0), reader.GetString(1), Text(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                reader.GetString(6), reader.GetInt64(7), Text(8), reader.GetInt64(9) != 0, Enum.Parse<RunState>(reader.GetString(10), ignoreCase: true),
                DateTimeOffset.Parse(reader.GetString(11), CultureInfo.InvariantCulture),
                Text(12) is { } finished ? DateTimeOffset.Parse(finished, CultureInfo.InvariantCulture) : null,
                Real(13), Real(14), Real(15), Real(16), reader.GetString(17), Text(18)));
        }
        return result;
    }

    private void Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        Bind(command, parameters);
        command.ExecuteNonQuery();
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout = 5000;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    private static void Bind(SqliteCommand command, (string Name, object? Value)[] parameters)
    {
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
    }
}
