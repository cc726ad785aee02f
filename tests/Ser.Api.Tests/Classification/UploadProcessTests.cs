using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Ser.Api.Tests.Wav;

namespace Ser.Api.Tests.Classification;

/// <summary>Issue 12, items 5, 7 and 8 on a real Kestrel: uploads never touch the disk, JSON bodies are small, and
/// the request log names the status actually sent.</summary>
public sealed class UploadProcessTests(ServedModelsFixture models) : IClassFixture<ServedModelsFixture>, IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-upload-").FullName;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task Multipart_uploads_work_with_no_writable_temp_folder_and_oversized_json_is_logged_as_the_413_it_gets()
    {
        var unwritable = Path.Combine("/proc", "ser-no-such-folder");
        using var service = new ApiProcess(Path.Combine(_temp, "data"), new Dictionary<string, string>
        {
            ["Ser__Models__wav2vec2__Path"] = models.Wav2Vec2Path, ["ASPNETCORE_TEMP"] = unwritable, ["TMPDIR"] = unwritable,
        });
        await service.WaitUntilLiveAsync(Ct);
        await WaitForModelAsync(service);

        // 4 s of 16-bit audio: 128 KB, past the 64 KB above which ASP.NET's form reader spills a part to a temp file.
        using var form = new MultipartFormDataContent { { new ByteArrayContent(TestWav.Tone(4)), "file", "clip.wav" } };
        using var classified = await service.Http.PostAsync(new Uri("/classify?models=wav2vec2", UriKind.Relative), form, Ct);
        using var batch = new MultipartFormDataContent { { new ByteArrayContent(TestWav.Tone(4)), "files", "clip.wav" } };
        using var batched = await service.Http.PostAsync(new Uri("/classify/batch?models=wav2vec2", UriKind.Relative), batch, Ct);

        using var json = new StringContent("{\"architecture\":\"both\",\"dataset\":\"synthetic\",\"name\":\"" + new string('x', 200_000) + "\"}",
            Encoding.UTF8, "application/json");
        using var oversized = await service.Http.PostAsync(new Uri("/jobs/train", UriKind.Relative), json, Ct);

        Assert.Equal(HttpStatusCode.OK, classified.StatusCode);
        Assert.Equal(HttpStatusCode.OK, batched.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, oversized.StatusCode);
        Assert.Equal("application/problem+json", oversized.Content.Headers.ContentType?.MediaType);
        await WaitForLogAsync(service, "POST /jobs/train responded 413");
        Assert.DoesNotContain(service.Output, l => l.Contains("/jobs/train responded 500", StringComparison.Ordinal));
    }

    private static async Task WaitForLogAsync(ApiProcess service, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!service.Output.Any(l => l.Contains(text, StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no log line with '{text}':\n" + string.Join('\n', service.Output.TakeLast(20)));
            await Task.Delay(100, Ct);
        }
    }

    private static async Task WaitForModelAsync(ApiProcess service)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!(await service.Http.GetStringAsync(new Uri("/models", UriKind.Relative), Ct)).Contains("\"folder\"", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the model did not load:\n" + string.Join('\n', service.Output.TakeLast(20)));
            await Task.Delay(200, Ct);
        }
    }
}
