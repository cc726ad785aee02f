using System.Net;
using System.Net.Http.Headers;
using Ser.Core.IO;

namespace Ser.Training.BaseCheckpoints;

/// <summary>Downloads files of a Hugging Face hub repo (<c>{endpoint}/{repo}/resolve/{revision}/{file}</c>) into a folder
/// that appears complete or not at all: files are streamed into a temp folder beside the target, which is renamed into
/// place once every file is whole.</summary>
public sealed class HuggingFaceHub
{
    private const int BufferSize = 1 << 16;
    private readonly HttpClient _http;

    /// <param name="http">Follows redirects (the hub sends weights to a CDN); its Timeout bounds the wait for headers.</param>
    /// <param name="settings">Endpoint, offline switch and token; null reads HF_ENDPOINT, HF_HUB_OFFLINE and HF_TOKEN.</param>
    public HuggingFaceHub(HttpClient http, HuggingFaceHubSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        _http = http;
        Settings = settings ?? HuggingFaceHubSettings.FromEnvironment();
    }

    public HuggingFaceHubSettings Settings { get; }

    public bool IsOffline => Settings.Offline;

    /// <summary>How long a body may go without a byte before the download fails (HttpClient.Timeout ends at the headers).</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromMinutes(1);

    public Uri RepoUrl(string repoId) => new($"{Root}/{repoId}");

    public Uri FileUrl(string repoId, string revision, string file) =>
        new($"{Root}/{repoId}/resolve/{Uri.EscapeDataString(revision)}/{string.Join('/', file.Split('/').Select(Uri.EscapeDataString))}");

    private string Root => Settings.Endpoint.AbsoluteUri.TrimEnd('/');

    /// <summary>Downloads <paramref name="files"/> of <paramref name="repoId"/> into <paramref name="directory"/>
    /// (replacing it). For each file the first alternative the hub has (not 404) is taken.</summary>
    /// <returns>The file names downloaded, in order.</returns>
    /// <exception cref="HuggingFaceHubException">Offline, a required file not found, an HTTP or network error, or a body
    /// cut short; nothing is left at <paramref name="directory"/>.</exception>
    public async Task<IReadOnlyList<string>> DownloadAsync(string repoId, string revision, IReadOnlyList<HubFile> files, string directory,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(repoId);
        ArgumentException.ThrowIfNullOrWhiteSpace(revision);
        ArgumentNullException.ThrowIfNull(files);
        foreach (var name in files.SelectMany(f => f.Alternatives))
            if (Path.IsPathRooted(name) || name.Split('/').Contains("..")) throw new ArgumentException($"'{name}' is not a file inside the repo.", nameof(files));
        if (IsOffline) throw new HuggingFaceHubException($"Not downloading {RepoUrl(repoId)}: offline (HF_HUB_OFFLINE is set).");
        var fetched = new List<string>();
        await AtomicDirectory.WriteAsync(directory, async (temp, ct) =>
        {
            foreach (var file in files)
            {
                var name = await DownloadFirstAsync(repoId, revision, file, temp, ct);
                if (name is not null) fetched.Add(name);
                else if (file.Required) throw new HuggingFaceHubException($"{RepoUrl(repoId)} (revision {revision}) has no {file}.");
            }
        }, cancellationToken);
        return fetched;
    }

    // The first alternative the hub has, written into the folder; null when every one is 404.
    private async Task<string?> DownloadFirstAsync(string repoId, string revision, HubFile file, string folder, CancellationToken ct)
    {
        foreach (var name in file.Alternatives)
        {
            var url = FileUrl(repoId, revision, name);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.UserAgent.ParseAdd("ser");
                if (Settings.Token is { } token) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                if (response.StatusCode == HttpStatusCode.NotFound) continue;
                if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                    throw new HuggingFaceHubException($"{url}: {(int)response.StatusCode} {response.ReasonPhrase}: the repo is private, gated or absent (HF_TOKEN is {(Settings.Token is null ? "not set" : "set")}).");
                if (!response.IsSuccessStatusCode) throw new HuggingFaceHubException($"{url}: {(int)response.StatusCode} {response.ReasonPhrase}.");
                var path = Path.Combine(folder, name);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await using var body = await response.Content.ReadAsStreamAsync(ct);
                long bytes;
                await using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
                    bytes = await CopyAsync(body, output, ct);
                if (response.Content.Headers.ContentLength is { } expected && bytes != expected)
                    throw new HuggingFaceHubException($"{url}: the body ended after {bytes} of {expected} bytes.");
                return name;
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                throw new HuggingFaceHubException($"{url}: {e.Message}", e);
            }
            catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
            {
                throw new HuggingFaceHubException($"{url}: timed out (no headers within HttpClient.Timeout, or no data for {StallTimeout}).", e);
            }
        }
        return null;
    }

    private async Task<long> CopyAsync(Stream body, Stream output, CancellationToken ct)
    {
        var buffer = new byte[BufferSize];
        long total = 0;
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
        while (true)
        {
            stall.CancelAfter(StallTimeout);
            var read = await body.ReadAsync(buffer, stall.Token);
            if (read == 0) return total;
            await output.WriteAsync(buffer.AsMemory(0, read), ct);
            total += read;
        }
    }
}
