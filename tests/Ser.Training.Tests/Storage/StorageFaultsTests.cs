using Microsoft.Data.Sqlite;
using Ser.Training.Storage;
using Ser.Training.Tests.Runs;

namespace Ser.Training.Tests.Storage;

/// <summary>Which errors mean "storage unavailable for now" (503 + Retry-After, try again) and which do not.</summary>
public sealed class StorageFaultsTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-faults-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void A_write_to_a_full_device_is_unavailable_storage_even_when_wrapped()
    {
        if (!File.Exists("/dev/full")) Assert.Skip("no /dev/full on this system");
        var full = Assert.ThrowsAny<IOException>(() =>
        {
            using var stream = new FileStream("/dev/full", FileMode.Open, FileAccess.Write);
            stream.Write(new byte[16]);
            stream.Flush();
        });

        Assert.True(StorageFaults.IsUnavailable(full));
        Assert.True(StorageFaults.IsUnavailable(new InvalidOperationException("wrapped", full)));
        Assert.True(StorageFaults.IsUnavailable(new AggregateException(new InvalidOperationException("other"), full)));
        Assert.False(StorageFaults.IsUnavailable(new FileNotFoundException("gone")));
    }

    [Fact]
    public void A_locked_database_is_unavailable_and_a_duplicate_key_is_not()
    {
        var path = Path.Combine(_temp, "db.sqlite");
        var db = SqlDatabase.Sqlite(path, TimeSpan.FromMilliseconds(50));
        db.Execute("CREATE TABLE t (id TEXT PRIMARY KEY)");
        db.Execute("INSERT INTO t (id) VALUES ('a')");

        var duplicate = Assert.Throws<SqliteException>(() => db.Execute("INSERT INTO t (id) VALUES ('a')"));
        SqliteException locked;
        using (RunLeaseTests.LockExclusively(path))
            locked = Assert.Throws<SqliteException>(() => db.Execute("INSERT INTO t (id) VALUES ('b')"));

        Assert.True(StorageFaults.IsUnavailable(locked));
        Assert.False(StorageFaults.IsUnavailable(duplicate));
    }
}
