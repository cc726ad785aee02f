using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Ser.Api.Classification;
using Ser.Core.Audio;
using Ser.Fuzz;
using Ser.Tests;

namespace Ser.Api.Tests.Classification;

/// <summary>Replays the corpus fuzz/run.sh kept for the upload path (afl++ and SharpFuzz over UploadReader.ReadAsync and
/// ASP.NET Core's form parsers). Each file is a Content-Type line, '\n', then the body (fuzz/Ser.Fuzz/UploadTarget.cs).</summary>
public sealed class UploadFuzzTests : IDisposable
{
    private static readonly AudioOptions Limits = new() { MaxBytes = 1 << 20, MaxSeconds = 3 };
    private readonly SerApiFactory _factory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Corpus => Path.Combine(TestPaths.RepositoryRoot, "tests", "Ser.Api.Tests", "Classification", "FuzzCorpus");

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Every_corpus_upload_is_read_or_refused_with_an_expected_exception()
    {
        var reader = new UploadReader(Options.Create(Limits), new UploadBudget(Options.Create(Limits)));
        var decoder = new WavDecoder(Limits);
        var failures = new List<string>();
        foreach (var file in Files())
        {
            var (type, body) = UploadInput.Split(File.ReadAllBytes(file));
            try
            {
                using var upload = await reader.ReadAsync(UploadInput.Request(type, body), "file", 1, Limits.MaxSeconds, Ct);
                var audio = decoder.Decode(upload.Bytes(0));
                Assert.All(audio.Samples, s => Assert.True(float.IsFinite(s)));
            }
            catch (Exception e) when (e is UploadException or AudioFormatException or BadHttpRequestException or InvalidDataException or IOException)
            {
                // Refusals the endpoints answer with a problem (see the test below).
            }
            catch (Exception e)
            {
                failures.Add($"{Path.GetFileName(file)}: {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task Every_corpus_upload_gets_a_result_or_a_problem_never_a_500()
    {
        using var client = Client();
        var failures = new List<string>();
        foreach (var file in Files())
        {
            var (type, body) = UploadInput.Split(File.ReadAllBytes(file));
            foreach (var path in type.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) ? ["/classify", "/classify/batch"] : new[] { "/classify" })
            {
                if (await PostAsync(client, path, type, body) is { } failure) failures.Add($"{Path.GetFileName(file)} {path}: {failure}");
            }
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Theory]
    [InlineData("finding-multipart-broken-part-header")]
    [InlineData("finding-multipart-wrong-boundary")]
    public async Task Finding_a_malformed_multipart_body_is_a_400_problem_not_a_500(string name)
    {
        // ASP.NET Core's form reader threw InvalidDataException / IOException, which reached the exception handler as a 500.
        var (type, body) = UploadInput.Split(File.ReadAllBytes(Path.Combine(Corpus, name)));
        using var client = Client();
        foreach (var path in new[] { "/classify", "/classify/batch" })
        {
            using var content = Content(type, body)!;
            using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content, Ct);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("\"status\":400", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
    }

    private HttpClient Client()
    {
        _factory.Settings["Ser:RateLimit:PermitsPerMinute"] = "0";
        _factory.Settings["Ser:Audio:MaxBytes"] = Limits.MaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _factory.Settings["Ser:Audio:MaxSeconds"] = "3";
        // Stand-in models, so every upload is read and decoded (with none loaded, /classify answers 503 before reading).
        _factory.ServeScriptedModels();
        _factory.WaitUntilReadyAsync(Ct).GetAwaiter().GetResult();
        return _factory.CreateClient();
    }

    // Null when the answer is a result or a problem.
    private static async Task<string?> PostAsync(HttpClient client, string path, string type, byte[] body)
    {
        using var content = Content(type, body);
        if (content is null) return null; // a header value no client can send
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content, Ct);
        var status = (int)response.StatusCode;
        if (status >= 500 && status != StatusCodes.Status503ServiceUnavailable) return $"status {status}";
        if (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json") return $"status {status} without a problem";
        return null;
    }

    private static ByteArrayContent? Content(string type, byte[] body)
    {
        var content = new ByteArrayContent(body);
        if (type.Length == 0 || content.Headers.TryAddWithoutValidation("Content-Type", type)) return content;
        content.Dispose();
        return null;
    }

    private static IEnumerable<string> Files()
    {
        var files = Directory.GetFiles(Corpus);
        Assert.True(files.Length >= 10, $"Only {files.Length} files in {Corpus}.");
        return files;
    }
}
