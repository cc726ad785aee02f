using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Ser.Api.Tests.Hosting.Storage;

/// <summary>Locked or full storage is the service's condition, not a bad request: 503 + Retry-After within the busy
/// timeout (it was a 500 after 30 s), and nothing half-made that later breaks <c>GET /jobs</c>. Role api: jobs are
/// queued, never trained.</summary>
public sealed class StorageFaultTests : IDisposable
{
    private readonly SerApiFactory _factory = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public StorageFaultTests()
    {
        _factory.Settings["Ser:Role"] = "api";
        _factory.UseSyntheticDataset(_factory.DataPath);
    }

    public void Dispose() => _factory.Dispose();

    private static readonly object TrainBody = new { architecture = "resnet18", dataset = "synthetic" };

    [Fact]
    public async Task A_registry_locked_by_another_process_answers_503_with_retry_after_and_creates_nothing()
    {
        using var client = _factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/jobs", UriKind.Relative), Ct)).StatusCode);

        HttpResponseMessage train, list;
        using (Lock(exclusiveMode: false))
        {
            train = await client.PostAsJsonAsync(new Uri("/jobs/train", UriKind.Relative), TrainBody, Ct);
            list = await client.GetAsync(new Uri("/jobs", UriKind.Relative), Ct);
        }

        await AssertUnavailable(train);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode); // SQLite's WAL: readers go on while another process writes
        Assert.Empty(await Jobs(client));
        Assert.Empty(RunFolders(_factory.DataPath));
    }

    [Fact]
    public async Task A_registry_no_reader_can_open_answers_503_to_reads_too()
    {
        using var client = _factory.CreateClient();
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync(new Uri("/jobs/train", UriKind.Relative), TrainBody, Ct)).StatusCode);

        HttpResponseMessage list;
        using (Lock(exclusiveMode: true))
            list = await client.GetAsync(new Uri("/jobs", UriKind.Relative), Ct);

        await AssertUnavailable(list);
        Assert.Single(await Jobs(client));
    }

    [Fact]
    public async Task A_full_disk_answers_503_and_leaves_no_half_made_job_behind()
    {
        var mount = Directory.CreateTempSubdirectory("ser-full-").FullName;
        if (!Mount(mount, out var why))
        {
            Directory.Delete(mount);
            Assert.Skip($"a small tmpfs could not be mounted ({why}); this needs root");
        }
        try
        {
            using (var factory = new SerApiFactory())
            {
                foreach (var (key, value) in _factory.Settings) factory.Settings[key] = value;
                factory.Settings["Ser:DataPath"] = mount;
                using var client = factory.CreateClient();
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/jobs", UriKind.Relative), Ct)).StatusCode);
                Fill(Path.Combine(mount, "filler"));

                var train = await client.PostAsJsonAsync(new Uri("/jobs/train", UriKind.Relative), TrainBody, Ct);
                var list = await client.GetAsync(new Uri("/jobs", UriKind.Relative), Ct);

                await AssertUnavailable(train);
                // A read may fail on a full disk too (SQLite's disk I/O error): then it is a 503 as well, never a 500.
                if (list.StatusCode != HttpStatusCode.OK) await AssertUnavailable(list);
                File.Delete(Path.Combine(mount, "filler"));
                Assert.Empty(await Jobs(client)); // was a 500 for good: a job row whose run had no spec.json
                Assert.Empty(RunFolders(mount));
                Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync(new Uri("/jobs/train", UriKind.Relative), TrainBody, Ct)).StatusCode);
            }
        }
        finally
        {
            Run("umount", ["-l", mount], out _);
            Directory.Delete(mount, recursive: true);
        }
    }

    private static async Task AssertUnavailable(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("5", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Contains("storage", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static string[] RunFolders(string dataPath) =>
        Directory.Exists(Path.Combine(dataPath, "runs")) ? Directory.GetDirectories(Path.Combine(dataPath, "runs")) : [];

    private static async Task<JsonElement[]> Jobs(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>(new Uri("/jobs", UriKind.Relative), Ct)).GetProperty("items").EnumerateArray().ToArray();

    /// <summary>Another process's <c>BEGIN EXCLUSIVE</c>; in exclusive locking mode, with a write made, not even readers get in.</summary>
    private SqliteConnection Lock(bool exclusiveMode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(_factory.DataPath, "registry.db"), Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = exclusiveMode
            ? "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS lock_probe (x INTEGER);"
            : "BEGIN EXCLUSIVE;";
        command.ExecuteNonQuery();
        return connection;
    }

    private static bool Mount(string path, out string why) =>
        Run("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", path], out why);

    private static void Fill(string path)
    {
        // Unbuffered: nothing is left to flush (and fail) on dispose.
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        var block = new byte[64 * 1024];
        try
        {
            while (true) stream.Write(block);
        }
        catch (IOException)
        {
            // ENOSPC: the disk is full.
        }
    }

    private static bool Run(string file, string[] arguments, out string error)
    {
        try
        {
            var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in arguments) info.ArgumentList.Add(a);
            using var process = Process.Start(info)!;
            error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            error = e.Message;
            return false;
        }
    }
}
