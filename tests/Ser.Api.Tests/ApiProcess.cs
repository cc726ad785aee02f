using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Ser.Api.Tests;

/// <summary>Ser.Api as a separate process on a free port, with its own data folder (killable, unlike an in-memory host).</summary>
internal sealed class ApiProcess : IDisposable
{
    private readonly Process _process;
    private readonly HttpClient _http;

    /// <param name="environment">Extra settings in environment form (e.g. Ser__Datasets__x__Path).</param>
    /// <param name="workingDirectory">Where the process starts (default: the folder of Ser.Api.dll).</param>
    public ApiProcess(string data, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
        : this(Dotnet([Path.Combine(AppContext.BaseDirectory, "Ser.Api.dll")], workingDirectory ?? AppContext.BaseDirectory), data,
            environment, bootstrap: false)
    {
    }

    private ApiProcess(ProcessStartInfo info, string data, IReadOnlyDictionary<string, string>? environment, bool bootstrap,
        Func<int, IReadOnlyDictionary<string, string>>? listenEnvironment = null)
    {
        var port = FreePort();
        if (listenEnvironment is null)
        {
            info.ArgumentList.Add("--urls");
            info.ArgumentList.Add($"http://127.0.0.1:{port}");
        }
        else
        {
            foreach (var (key, value) in listenEnvironment(port)) info.Environment[key] = value;
        }
        info.Environment["Ser__DataPath"] = data;
        if (!bootstrap)
        {
            info.Environment["Ser__Bootstrap__Enabled"] = "false";
            // `dotnet Ser.Api.dll` runs in Production, where a keyless API must opt in (the tests call from loopback
            // without a key); the quick start's `dotnet run` is Development by its launch profile and needs nothing.
            info.Environment["Ser__Auth__AllowNoKey"] = "true";
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => Remember(e.Data);
        _process.ErrorDataReceived += (_, e) => Remember(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Url = $"http://127.0.0.1:{port}";
        _http = new HttpClient { BaseAddress = new Uri(Url) };
    }

    /// <summary>Ser.Api told where to listen only by <paramref name="listenEnvironment"/> (given the free port), no <c>--urls</c>.</summary>
    public static ApiProcess ListeningBy(string data, Func<int, IReadOnlyDictionary<string, string>> listenEnvironment) =>
        new(Dotnet([Path.Combine(AppContext.BaseDirectory, "Ser.Api.dll")], AppContext.BaseDirectory), data, null, bootstrap: false, listenEnvironment);

    /// <summary>The README's first command (<c>dotnet run --project src/Ser.Api</c>, already built by the test run) on
    /// its embedded defaults: only the port and the data folder are chosen by the test.</summary>
    public static ApiProcess QuickStart(string repositoryRoot, string data) =>
        new(Dotnet(["run", "--project", Path.Combine(repositoryRoot, "src", "Ser.Api"), "--no-build", "--"], repositoryRoot), data, null, bootstrap: true);

    /// <summary>Settings (environment form) naming <paramref name="corpus"/>, a synthetic corpus folder, as dataset
    /// "synthetic"; callers add their own.</summary>
    public static Dictionary<string, string> SyntheticDataset(string corpus) => new()
    {
        ["Ser__Datasets__synthetic__Path"] = corpus, ["Ser__Datasets__synthetic__Kind"] = "synthetic",
    };

    private static ProcessStartInfo Dotnet(string[] arguments, string workingDirectory)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        return info;
    }

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _start = new();

    private void Remember(string? line)
    {
        if (line is null) return;
        // The start-up banner and the bootstrap's first lines are kept for good; after them, the most recent lines.
        if (_start.Count < 200)
        {
            _start.Enqueue(line);
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > 400) _output.TryDequeue(out _);
    }

    /// <summary>The process's first 200 and last 400 lines of output (console log), for assertions and failure messages.</summary>
    /// <remarks>Each queue is copied with its own atomic snapshot: spreading a queue that grows meanwhile overruns the
    /// array sized from its count (IndexOutOfRangeException while the process logs).</remarks>
    public IReadOnlyList<string> Output => [.. _start.ToArray(), .. _output.ToArray()];

    public string Url { get; }

    /// <summary>A client for the process (base address set).</summary>
    public HttpClient Http => _http;

    public bool HasExited => _process.HasExited;

    public async Task WaitUntilLiveAsync(CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            try
            {
                if ((await _http.GetAsync(new Uri("/health/live", UriKind.Relative), ct)).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The service did not start.");
            await Task.Delay(200, ct);
        }
    }

    public async Task<string> StartJobAsync(object body, CancellationToken ct)
    {
        var response = await _http.PostAsJsonAsync(new Uri("/jobs/train", UriKind.Relative), body, ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return response.Headers.Location!.ToString();
    }

    public async Task<JsonElement> WaitForJobAsync(string location, string[] states, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddMinutes(8);
        while (true)
        {
            var job = await _http.GetFromJsonAsync<JsonElement>(new Uri(location, UriKind.Relative), ct);
            if (states.Contains(job.GetProperty("state").GetString())) return job;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Job still {job.GetProperty("state")}");
            await Task.Delay(500, ct);
        }
    }

    public async Task<JsonElement> RunMetricsAsync(JsonElement job, CancellationToken ct)
    {
        var runId = job.GetProperty("runs")[0].GetProperty("runId").GetString();
        var metrics = await _http.GetFromJsonAsync<JsonElement>(new Uri($"/metrics/runs/{runId}", UriKind.Relative), ct);
        return metrics.GetProperty("metrics");
    }

    public void Kill() => _process.Kill(entireProcessTree: true);

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        _http.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

