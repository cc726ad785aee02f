using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Ser.Training.Storage;

/// <summary>The one database behind the run registry and the job records: a SQLite file by default, PostgreSQL when
/// several processes on several machines share it. Statements use <c>@name</c> parameters and SQL both dialects accept
/// (TEXT, BIGINT, DOUBLE PRECISION, <c>INSERT … ON CONFLICT</c>).</summary>
public sealed class SqlDatabase : IDisposable
{
    /// <summary>How long a SQLite statement waits for another connection's lock before it fails with SQLITE_BUSY: short
    /// enough that an HTTP request answers 503 instead of hanging, long enough to ride out an ordinary write.</summary>
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(5);

    private readonly NpgsqlDataSource? _postgres;
    private readonly string? _sqlite;
    private readonly string _busyPragma = "";

    private SqlDatabase(NpgsqlDataSource? postgres, string? sqlite, TimeSpan busyTimeout)
    {
        (_postgres, _sqlite) = (postgres, sqlite);
        if (sqlite is not null) _busyPragma = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds};");
    }

    public bool IsPostgres => _postgres is not null;

    /// <summary>Where the data lives, without credentials (for logs).</summary>
    public string Description => _postgres is { } pg && new NpgsqlConnectionStringBuilder(pg.ConnectionString) is var settings
        ? $"PostgreSQL {settings.Host}/{settings.Database}"
        : $"SQLite {new SqliteConnectionStringBuilder(_sqlite).DataSource}";

    /// <param name="busyTimeout">Default <see cref="DefaultBusyTimeout"/>.</param>
    public static SqlDatabase Sqlite(string path, TimeSpan? busyTimeout = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var wait = busyTimeout ?? DefaultBusyTimeout;
        // Microsoft.Data.Sqlite retries a busy statement until its command timeout (30 s unless set) on top of SQLite's
        // own busy handler: both get the same limit (whole seconds, at least 1; 0 would mean forever).
        var settings = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) };
        var database = new SqlDatabase(null, settings.ToString(), wait);
        database.Execute("PRAGMA journal_mode = WAL;");
        return database;
    }

    public static SqlDatabase Postgres(string connectionString) => new(NpgsqlDataSource.Create(connectionString), null, TimeSpan.Zero);

    public DbConnection Open()
    {
        if (_postgres is not null) return _postgres.OpenConnection();
        var connection = new SqliteConnection(_sqlite);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = _busyPragma;
        pragma.ExecuteNonQuery();
        return connection;
    }

    /// <summary>A transaction that holds its write lock from the start (SQLite: BEGIN IMMEDIATE), so read-modify-write
    /// sequences from two processes serialise instead of failing at commit.</summary>
    public static DbTransaction BeginWrite(DbConnection connection) =>
        connection is SqliteConnection sqlite ? sqlite.BeginTransaction(deferred: false) : connection.BeginTransaction(IsolationLevel.ReadCommitted);

    /// <summary>Appended to a SELECT inside <see cref="BeginWrite"/> to lock the rows read (PostgreSQL only; SQLite locks the file).</summary>
    public string ForUpdate => IsPostgres ? " FOR UPDATE" : "";

    public int Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = Open();
        return Execute(connection, null, sql, parameters);
    }

    public static int Execute(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = Command(connection, transaction, sql, parameters);
        return command.ExecuteNonQuery();
    }

    public List<T> Query<T>(string sql, Func<DbDataReader, T> map, params (string Name, object? Value)[] parameters)
    {
        using var connection = Open();
        return Query(connection, null, sql, map, parameters);
    }

    public static List<T> Query<T>(DbConnection connection, DbTransaction? transaction, string sql, Func<DbDataReader, T> map,
        params (string Name, object? Value)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(map);
        using var command = Command(connection, transaction, sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read()) rows.Add(map(reader));
        return rows;
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value switch { null => DBNull.Value, bool b => b ? 1L : 0L, int i => (long)i, _ => value };
            // Every nullable column here is text; an untyped null leaves PostgreSQL unable to infer the parameter's type.
            if (value is null) parameter.DbType = DbType.String;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    /// <summary>Adds a column that databases made by an older version lack; safe when another process adds it first.</summary>
    public void AddColumnIfMissing(string table, string name, string type)
    {
        if (IsPostgres)
        {
            Execute($"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {name} {type}");
            return;
        }
        if (HasColumn(table, name)) return;
        try
        {
            Execute($"ALTER TABLE {table} ADD COLUMN {name} {type}");
        }
        catch (DbException) when (HasColumn(table, name))
        {
            // Another process added it first.
        }
    }

    private bool HasColumn(string table, string name) =>
        Query($"SELECT 1 FROM pragma_table_info('{table}') WHERE name = @name", _ => 1, ("@name", name)).Count > 0;

    public void Dispose() => _postgres?.Dispose();
}
