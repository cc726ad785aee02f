using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Ser.Tests;

/// <summary>A local stand-in for the hub: serves files under <c>/{repo}/resolve/main/{file}</c> and 404 for anything
/// else, counts requests, records Authorization headers, and fails a file on purpose when told to.</summary>
internal sealed class HubServer : IAsyncDisposable
{
    /// <summary>How a file is served: as it is, "500", "cut" (connection dropped mid-body) or "redirect" (302 to /cdn/…).</summary>
    private readonly ConcurrentDictionary<string, (string File, string Mode)> _routes = new(StringComparer.Ordinal);
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private int _requests;

    public HubServer()
    {
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public Uri Endpoint => new($"http://127.0.0.1:{Port}");

    public int Requests => Volatile.Read(ref _requests);

    public ConcurrentQueue<string?> Authorizations { get; } = new();

    public void Serve(string repo, string name, string file, string mode = "ok") => _routes[$"/{repo}/resolve/main/{name}"] = (file, mode);

    public void ServeFolder(string repo, string folder)
    {
        foreach (var file in Directory.GetFiles(folder)) Serve(repo, Path.GetFileName(file), file);
    }

    /// <summary>A port nothing listens on (taken and released at once).</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task LoopAsync()
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        Interlocked.Increment(ref _requests);
        Authorizations.Enqueue(context.Request.Headers["Authorization"]);
        var response = context.Response;
        var path = context.Request.Url!.AbsolutePath;
        var viaCdn = path.StartsWith("/cdn/", StringComparison.Ordinal);
        try
        {
            if (!_routes.TryGetValue(viaCdn ? path[4..] : path, out var route))
            {
                response.StatusCode = 404;
                response.Close();
                return;
            }
            var bytes = await File.ReadAllBytesAsync(route.File);
            switch (viaCdn ? "ok" : route.Mode)
            {
                case "500":
                    response.StatusCode = 500;
                    response.Close();
                    break;
                case "redirect":
                    response.StatusCode = 302;
                    response.RedirectLocation = "/cdn" + path;
                    response.Close();
                    break;
                case "cut":
                    response.ContentLength64 = bytes.Length;
                    await response.OutputStream.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
                    await response.OutputStream.FlushAsync();
                    response.Abort();
                    break;
                default:
                    response.ContentLength64 = bytes.Length;
                    await response.OutputStream.WriteAsync(bytes);
                    response.Close();
                    break;
            }
        }
        catch (HttpListenerException)
        {
            // The client went away.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
