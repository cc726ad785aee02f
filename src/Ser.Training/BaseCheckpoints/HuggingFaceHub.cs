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

    /// <param name="http">Follows redirects (the hub sends weights to a CDN); its Timeout bounds the wait for headers.
    /// <see cref="HubHttp.AddHuggingFaceHubClient"/> registers one that retries transient failures.</param>
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

    /// <summary>How many times a body cut short is continued with a Range request before the download fails.</summary>
    public int MaxResumes { get; init; } = 5;

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
        CancellationToken cancellationToken, IProgress<HubDownloadProgress>? progress = null)
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
                var name = await DownloadFirstAsync(repoId, revision, file, temp, progress, ct);
                if (name is not null) fetched.Add(name);
                else if (file.Required) throw new HuggingFaceHubException($"{RepoUrl(repoId)} (revision {revision}) has no {file}.");
            }
        }, cancellationToken);
        return fetched;
    }

    // The first alternative the hub has, written into the folder; null when every one is 404.
    private async Task<string?> DownloadFirstAsync(string repoId, string revision, HubFile file, string folder,
        IProgress<HubDownloadProgress>? progress, CancellationToken ct)
    {
        foreach (var name in file.Alternatives)
        {
            var path = Path.Combine(folder, name);
            if (await DownloadResumingAsync(FileUrl(repoId, revision, name), name, path, progress, ct)) return name;
        }
        return null;
    }

    // False on 404. A body cut short (or a dropped connection) is continued from the bytes already written with a
    // Range request, up to MaxResumes times; the headers' own retries (5xx, 429, timeouts) belong to the HttpClient's handler.
    private async Task<bool> DownloadResumingAsync(Uri url, string name, string path, IProgress<HubDownloadProgress>? progress, CancellationToken ct)
    {
        long written = 0;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.UserAgent.ParseAdd("ser");
                if (Settings.Token is { } token) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                if (written > 0) request.Headers.Range = new RangeHeaderValue(written, null);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                if (response.StatusCode == HttpStatusCode.NotFound && written == 0) return false;
                if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                    throw new HuggingFaceHubException($"{url}: {(int)response.StatusCode} {response.ReasonPhrase}: the repo is private, gated or absent (HF_TOKEN is {(Settings.Token is null ? "not set" : "set")}).");
                if (!response.IsSuccessStatusCode) throw new HuggingFaceHubException($"{url}: {(int)response.StatusCode} {response.ReasonPhrase}.");
                // 206 continues where the file ends; 200 (a server that ignores Range) starts it again.
                var resumed = response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange?.From == written;
                if (!resumed) written = 0;
                var total = TotalSize(response, written);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await using var body = await response.Content.ReadAsStreamAsync(ct);
                await using (var output = new FileStream(path, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
                    written = await CopyAsync(body, output, written, b => progress?.Report(new HubDownloadProgress(name, b, total)), ct);
                if (total is { } expected && written != expected)
                    throw new HttpIOException(HttpRequestError.ResponseEnded, $"the body ended after {written} of {expected} bytes.");
                progress?.Report(new HubDownloadProgress(name, written, total ?? written));
                return true;
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                written = File.Exists(path) ? new FileInfo(path).Length : 0;
                if (attempt < MaxResumes && e is IOException) continue;
                throw new HuggingFaceHubException($"{url}: {e.Message}", e);
            }
            catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
            {
                throw new HuggingFaceHubException($"{url}: timed out (no headers within HttpClient.Timeout, or no data for {StallTimeout}).", e);
            }
        }
    }

    // The whole file's size as the hub announces it: X-Linked-Size (LFS files behind a redirect), the total of a
    // Content-Range, or the Content-Length of a full body.
    private static long? TotalSize(HttpResponseMessage response, long offset) =>
        response.Headers.TryGetValues("X-Linked-Size", out var linked) && long.TryParse(linked.FirstOrDefault(), out var size) ? size
        : response.Content.Headers.ContentRange?.Length
        ?? (response.Content.Headers.ContentLength is { } length ? offset + length : null);

    private async Task<long> CopyAsync(Stream body, Stream output, long total, Action<long> report, CancellationToken ct)
    {
        var buffer = new byte[BufferSize];
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
        while (true)
        {
            stall.CancelAfter(StallTimeout);
            var read = await body.ReadAsync(buffer, stall.Token);
            if (read == 0) return total;
            await output.WriteAsync(buffer.AsMemory(0, read), ct);
            total += read;
            report(total);
        }
    }
}
