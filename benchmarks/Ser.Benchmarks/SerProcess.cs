using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Ser.Benchmarks;

/// <summary>A Ser.Api process on a free loopback port, killed (whole tree) on dispose.</summary>
internal sealed class SerProcess : IDisposable
{
    private readonly Process _process;

    public SerProcess(string apiDll, IReadOnlyDictionary<string, string> environment)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(apiDll)! };
        info.ArgumentList.Add(apiDll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port}");
        info.Environment["Ser__Auth__AllowNoKey"] = "true"; // Production without a key: loopback callers only
        foreach (var (key, value) in environment) info.Environment[key] = value;
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
    }

    public HttpClient Http { get; }

    public int Id => _process.Id;

    /// <summary>Waits until <paramref name="path"/> (e.g. /health/ready) answers 200.</summary>
    public async Task WaitForAsync(string path)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await Http.GetAsync(new Uri(path, UriKind.Relative)).ConfigureAwait(false)).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(200).ConfigureAwait(false);
        }
        throw new TimeoutException($"The service did not answer {path}.");
    }

    public long PeakRssMiB() => StatusMiB("VmHWM:");

    /// <summary>Waits (up to a minute) until the server uses under a tenth of a core for a second: after /health/ready or a
    /// load its start-up work, JIT tiering and garbage collection run for seconds and would slow the next measurement.</summary>
    public async Task WaitUntilIdleAsync()
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (DateTime.UtcNow < deadline)
        {
            var before = CpuTime();
            await Task.Delay(1000).ConfigureAwait(false);
            if ((CpuTime() - before).TotalMilliseconds < 100)
            {
                return;
            }
        }
    }

    /// <summary>User + system CPU time the server has used so far.</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    public long RssMiB() => StatusMiB("VmRSS:");

    private long StatusMiB(string field) =>
        File.ReadLines($"/proc/{_process.Id}/status").Where(l => l.StartsWith(field, StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024).FirstOrDefault();

    public void Dispose()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        Http.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
