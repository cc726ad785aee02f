using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Ser.Tests;

/// <summary>A local stand-in for the hub: serves files under <c>/{repo}/resolve/main/{file}</c> (honouring
/// <c>Range: bytes=N-</c> with a 206) and 404 for anything else, counts requests and body bytes, records Authorization
/// and Range headers, and fails a file on purpose (every time, or its first N requests) when told to.</summary>
internal sealed class HubServer : IAsyncDisposable
{
    /// <summary>How a file is served: as it is, "500", "503" (with Retry-After: 0), "cut" (connection dropped mid-body),
    /// "drop" (connection dropped after the headers, before any body byte) or "redirect" (302 to /cdn/…); the mode holds for its first
    /// Failures requests, then the file is served as it is.</summary>
    private readonly ConcurrentDictionary<string, Route> _routes = new(StringComparer.Ordinal);
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private int _requests;
    private long _bytesServed;

    private sealed class Route(string file, string mode, int failures)
    {
        private int _failures = failures;
        public string File => file;
        public string NextMode() => Interlocked.Decrement(ref _failures) >= 0 ? mode : "ok";
    }

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

    /// <summary>Body bytes written, cut bodies included.</summary>
    public long BytesServed => Interlocked.Read(ref _bytesServed);

    public ConcurrentQueue<string?> Authorizations { get; } = new();

    public ConcurrentQueue<string> Ranges { get; } = new();

    public void Serve(string repo, string name, string file, string mode = "ok", int failures = int.MaxValue) =>
        _routes[$"/{repo}/resolve/main/{name}"] = new Route(file, mode, failures);

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
        if (context.Request.Headers["Range"] is { } range) Ranges.Enqueue(range);
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
            var from = RangeStart(context.Request.Headers["Range"], bytes.Length);
            if (from > 0)
            {
                response.StatusCode = 206;
                response.AddHeader("Content-Range", $"bytes {from}-{bytes.Length - 1}/{bytes.Length}");
                bytes = bytes[(int)from..];
            }
            switch (viaCdn ? "ok" : route.NextMode())
            {
                case "500":
                    response.StatusCode = 500;
                    response.Close();
                    break;
                case "503":
                    response.StatusCode = 503;
                    response.AddHeader("Retry-After", "0");
                    response.Close();
                    break;
                case "drop":
                    response.ContentLength64 = bytes.Length;
                    response.Abort(); // HttpListener still sends the headers: the body ends at 0 bytes
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
                    Interlocked.Add(ref _bytesServed, bytes.Length / 2);
                    response.Abort();
                    break;
                default:
                    response.ContentLength64 = bytes.Length;
                    await response.OutputStream.WriteAsync(bytes);
                    Interlocked.Add(ref _bytesServed, bytes.Length);
                    response.Close();
                    break;
            }
        }
        catch (HttpListenerException)
        {
            // The client went away.
        }
    }

    // N of "bytes=N-" when 0 < N < length, else 0 (the whole file).
    private static long RangeStart(string? range, long length) =>
        range is not null && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-')
        && long.TryParse(range.AsSpan(6, range.Length - 7), out var from) && from > 0 && from < length ? from : 0;

    public async ValueTask DisposeAsync()
    {
        // Close alone: after Stop, .NET's managed listener removes itself a second time and binds the port again to do
        // so, which fails where another test took the port meanwhile ("Address already in use").
        _listener.Close();
        await _loop;
    }
}
