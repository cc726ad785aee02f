using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Ser.Api.Tests.ScaleOut;

/// <summary>A throwaway PostgreSQL server (Debian's binaries) in a temp folder on a free port: initdb, start, one
/// database, stopped and deleted on dispose. As root it runs as the <c>postgres</c> user (initdb refuses root).</summary>
internal sealed class PostgresServer : IDisposable
{
    private readonly string _bin;
    private readonly string _folder;
    private readonly Process _server;
    private readonly bool _asPostgres = Environment.UserName == "root";

    private PostgresServer(string bin)
    {
        _bin = bin;
        _folder = Directory.CreateTempSubdirectory("ser-pg-").FullName;
        if (_asPostgres) Run("chown", ["postgres", _folder], asPostgres: false);
        var data = Path.Combine(_folder, "data");
        Run(Path.Combine(bin, "initdb"), ["-D", data, "-U", "ser", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        Port = FreePort();
        _server = Start(Path.Combine(bin, "postgres"), ["-D", data, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-k", _folder, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200"]);
        ConnectionString = $"Host=127.0.0.1;Port={Port};Username=ser;Database=ser";
        WaitAndCreateDatabase();
    }

    public int Port { get; }

    public string ConnectionString { get; }

    /// <summary>The server, or null with the reason when PostgreSQL's binaries are not installed.</summary>
    public static (PostgresServer? Server, string? Missing) TryStart()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        return bin is null ? (null, "PostgreSQL is not installed (apt-get install postgresql; .ci/run installs it)") : (new PostgresServer(bin), null);
    }

    private void WaitAndCreateDatabase()
    {
        var admin = $"Host=127.0.0.1;Port={Port};Username=ser;Database=postgres;Pooling=false";
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var connection = new NpgsqlConnection(admin);
                connection.Open();
                using var command = new NpgsqlCommand("CREATE DATABASE ser", connection);
                command.ExecuteNonQuery();
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline && !_server.HasExited)
            {
                Thread.Sleep(200);
            }
        }
    }

    private Process Start(string file, string[] arguments)
    {
        var info = Info(file, arguments, _asPostgres);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Run(string file, string[] arguments, bool? asPostgres = null)
    {
        using var process = Process.Start(Info(file, arguments, asPostgres ?? _asPostgres))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{Path.GetFileName(file)} failed ({process.ExitCode}): {error}{output.Result}");
    }

    private static ProcessStartInfo Info(string file, string[] arguments, bool asPostgres)
    {
        var info = new ProcessStartInfo(asPostgres ? "runuser" : file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", file }) info.ArgumentList.Add(a);
        }
        foreach (var a in arguments) info.ArgumentList.Add(a);
        return info;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            Run(Path.Combine(_bin, "pg_ctl"), ["stop", "-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w"]);
        }
        catch (InvalidOperationException)
        {
            if (!_server.HasExited) _server.Kill(entireProcessTree: true);
        }
        _server.WaitForExit(10_000);
        _server.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
