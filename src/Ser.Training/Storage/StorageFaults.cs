using Microsoft.Data.Sqlite;
using Npgsql;

namespace Ser.Training.Storage;

/// <summary>Tells storage that is unavailable for now (locked, busy, full, read-only, unreachable) from other errors.
/// Such failures are the service's condition, not the caller's fault: HTTP answers them with 503 + Retry-After, and
/// background work logs them and tries again.</summary>
public static class StorageFaults
{
    // SQLite primary result codes (sqlite.org/rescode.html): BUSY, LOCKED, READONLY, IOERR, FULL, CANTOPEN.
    private const int SqliteBusy = 5, SqliteLocked = 6, SqliteReadOnly = 8, SqliteIoError = 10, SqliteFull = 13, SqliteCantOpen = 14;

    /// <summary>True when <paramref name="exception"/> or one of its inner exceptions says storage is unavailable.</summary>
    public static bool IsUnavailable(Exception? exception) => exception switch
    {
        null => false,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsUnavailable),
        _ => IsUnavailableItself(exception) || IsUnavailable(exception.InnerException),
    };

    /// <summary>No space (or quota) left, or a read-only file system: ENOSPC, EDQUOT, EROFS; on Windows ERROR_DISK_FULL
    /// and ERROR_HANDLE_DISK_FULL. .NET puts the errno (Unix) or the Win32 HRESULT (Windows) in HResult.</summary>
    public static bool IsDiskFull(IOException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return OperatingSystem.IsWindows()
            ? (exception.HResult & 0xFFFF) is 0x27 or 0x70
            : exception.HResult is 28 or 30 || (OperatingSystem.IsLinux() && exception.HResult == 122);
    }

    private static bool IsUnavailableItself(Exception exception) => exception switch
    {
        SqliteException sqlite => (sqlite.SqliteErrorCode & 0xFF) is SqliteBusy or SqliteLocked or SqliteReadOnly or SqliteIoError or SqliteFull or SqliteCantOpen,
        // Class 08: connection; 53: insufficient resources (disk full, out of connections); 57P0x: shutting down or starting;
        // 55P03: lock not available; 25006: read-only transaction (a standby).
        PostgresException postgres => postgres.IsTransient || postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
            || postgres.SqlState.StartsWith("53", StringComparison.Ordinal) || postgres.SqlState.StartsWith("57P0", StringComparison.Ordinal)
            || postgres.SqlState is "55P03" or "25006",
        NpgsqlException npgsql => npgsql.IsTransient,
        IOException io => IsDiskFull(io),
        _ => false,
    };
}
