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
    public ApiProcess(string data, IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Ser.Api.dll"));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port}");
        info.Environment["Ser__DataPath"] = data;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        info.WorkingDirectory = AppContext.BaseDirectory;
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Url = $"http://127.0.0.1:{port}";
        _http = new HttpClient { BaseAddress = new Uri(Url) };
    }

    public string Url { get; }

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

