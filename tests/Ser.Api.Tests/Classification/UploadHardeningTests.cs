using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ser.Api.Tests.Wav;

namespace Ser.Api.Tests.Classification;

/// <summary>Issue 12, items 4–7: hostile or careless uploads get 400/413/503 problems, never a 500, and cost little.</summary>
public sealed class UploadHardeningTests : IClassFixture<ServedModelsFixture>, IDisposable
{
    private readonly ModelServingFactory _factory;
    private readonly HttpClient _client;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public UploadHardeningTests(ServedModelsFixture models)
    {
        _factory = new ModelServingFactory(models);
        _factory.Settings["Ser:Inference:MaxBatchAudioSeconds"] = "20";
        _factory.WaitUntilReadyAsync(Ct).GetAwaiter().GetResult();
        _client = _factory.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body, string Type)> Post(string path, HttpContent content)
    {
        using var response = await _client.PostAsync(new Uri(path, UriKind.Relative), content, Ct);
        var type = response.Content.Headers.ContentType?.MediaType ?? "";
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(Ct), type);
    }

    private static ByteArrayContent Multipart(string contentType, string body)
    {
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    [Theory]
    [InlineData("multipart/form-data")]
    [InlineData("multipart/form-data; boundary=")]
    [InlineData("multipart/form-data; boundary=\"\"")]
    [InlineData("multipart/form-data; boundary=not-the-one")]
    public async Task Malformed_multipart_is_a_400_problem(string contentType)
    {
        var body = "--real\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n\r\nRIFF\r\n--real--\r\n";

        foreach (var path in new[] { "/classify", "/classify/batch" })
        {
            using var content = Multipart(contentType, body);
            var (status, problem, type) = await Post(path, content);

            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal("application/problem+json", type);
            Assert.Equal(400, problem.GetProperty("status").GetInt32());
        }
    }

    [Fact]
    public async Task A_multipart_body_of_1100_parts_is_a_413()
    {
        var body = new StringBuilder();
        for (var i = 0; i < 1_100; i++) body.Append("--b\r\nContent-Disposition: form-data; name=\"f").Append(i).Append("\"\r\n\r\nx\r\n");
        body.Append("--b--\r\n");
        using var content = Multipart("multipart/form-data; boundary=b", body.ToString());

        var (status, problem, _) = await Post("/classify/batch", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("parts", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_large_form_field_is_a_413_and_a_body_over_the_byte_limit_is_refused_before_it_is_read()
    {
        using var field = new MultipartFormDataContent
        {
            { new StringContent(new string('x', 200_000)), "note" },
            { new ByteArrayContent(TestWav.Tone(0.5)), "file", "a.wav" },
        };
        var (fieldStatus, fieldProblem, _) = await Post("/classify", field);

        // 5 MB against the factory's 3,000,000-byte limit.
        using var huge = new MultipartFormDataContent { { new StringContent(new string('x', 5_000_000)), "note" } };
        var (hugeStatus, _, hugeType) = await Post("/classify", huge);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, fieldStatus);
        Assert.Contains("form field", fieldProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, hugeStatus);
        Assert.Equal("application/problem+json", hugeType);
    }

    [Fact]
    public async Task A_batch_over_its_audio_seconds_is_refused_with_a_413_naming_the_setting()
    {
        // Three 8 s clips (8 kHz, 8-bit: 64 KB each) against MaxBatchAudioSeconds = 20.
        using var form = new MultipartFormDataContent();
        for (var i = 0; i < 3; i++) form.Add(new ByteArrayContent(TestWav.Tone(8, rate: 8_000, bits: 8)), "files", $"{i}.wav");

        var (status, problem, _) = await Post("/classify/batch", form);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("Ser:Inference:MaxBatchAudioSeconds", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_file_of_a_batch_within_its_limits_is_answered()
    {
        using var form = new MultipartFormDataContent();
        for (var i = 0; i < 2; i++) form.Add(new ByteArrayContent(TestWav.Tone(8, rate: 8_000, bits: 8)), "files", $"{i}.wav");
        form.Add(new StringContent("client field"), "note");

        var (status, body, _) = await Post("/classify/batch", form);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.All(body.GetProperty("results").EnumerateArray(), r => Assert.Equal(200, r.GetProperty("status").GetInt32()));
    }
}
