using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ser.Api.Tests.Wav;

namespace Ser.Api.Tests.Classification;

/// <summary>Hosts the service with two tiny models loaded from folders.</summary>
public sealed class ModelServingFactory : SerApiFactory
{
    public ModelServingFactory(ServedModelsFixture models)
    {
        ArgumentNullException.ThrowIfNull(models);
        Settings["Ser:Models:wav2vec2:Path"] = models.Wav2Vec2Path;
        Settings["Ser:Models:resnet18:Path"] = models.ResNetPath;
        Settings["Ser:Audio:MaxSeconds"] = "30";
        Settings["Ser:Audio:MaxBytes"] = "3000000";
    }
}

public sealed class ClassifyEndpointsTests : IClassFixture<ServedModelsFixture>, IDisposable
{
    private readonly ModelServingFactory _factory;
    private readonly ServedModelsFixture _models;
    private readonly HttpClient _client;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ClassifyEndpointsTests(ServedModelsFixture models)
    {
        _models = models;
        _factory = new ModelServingFactory(models);
        _factory.WaitUntilReadyAsync(Ct).GetAwaiter().GetResult();
        _client = _factory.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
    }

    private Task<HttpResponseMessage> PostRaw(byte[] body, string type = "audio/wav", string query = "")
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return _client.PostAsync(new Uri("/classify" + query, UriKind.Relative), content, Ct);
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

    [Fact]
    public async Task A_multipart_upload_gets_both_models_probabilities_in_fixed_order()
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(TestWav.Tone(seconds: 1.5));
        file.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        form.Add(file, "file", "clip.wav");

        var response = await _client.PostAsync(new Uri("/classify", UriKind.Relative), form, Ct);
        var body = await Json(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["neutral", "happy", "angry", "sad", "fear", "disgust"], body.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        foreach (var model in new[] { "wav2vec2", "resnet18" })
        {
            var p = body.GetProperty("predictions").GetProperty(model);
            var probabilities = p.GetProperty("probabilities").EnumerateObject().ToArray();
            Assert.Equal(["neutral", "happy", "angry", "sad", "fear", "disgust"], probabilities.Select(x => x.Name));
            Assert.InRange(probabilities.Sum(x => x.Value.GetDouble()), 1 - 1e-5, 1 + 1e-5);
            Assert.Equal(probabilities.MaxBy(x => x.Value.GetDouble()).Name, p.GetProperty("label").GetString());
            Assert.True(p.GetProperty("latencyMs").GetDouble() > 0);
        }
        Assert.True(body.TryGetProperty("agreement", out var agreement));
        Assert.InRange(agreement.GetProperty("jensenShannon").GetDouble(), 0, 1);
        Assert.Equal(1.5, body.GetProperty("audio").GetProperty("durationSeconds").GetDouble(), 3);
        Assert.False(body.TryGetProperty("segments", out _));
    }

    [Fact]
    public async Task A_raw_body_of_a_long_stereo_44_1_kHz_clip_is_scored_in_windows_with_a_timeline()
    {
        var response = await PostRaw(TestWav.Tone(seconds: 12, rate: 44_100, channels: 2), "audio/x-wav", "?segments=true&models=resnet18");
        var body = await Json(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["resnet18"], body.GetProperty("predictions").EnumerateObject().Select(p => p.Name));
        Assert.False(body.TryGetProperty("agreement", out _));
        var segments = body.GetProperty("segments").EnumerateArray().ToArray();
        Assert.Equal(4, segments.Length); // 0–5, 2.5–7.5, 5–10, 7–12
        Assert.Equal(12.0, segments[^1].GetProperty("endSeconds").GetDouble(), 3);
        Assert.Contains("long", body.GetProperty("audio").GetProperty("quality").GetProperty("warnings").EnumerateArray().Select(w => w.GetString()));
        Assert.Equal(44_100, body.GetProperty("audio").GetProperty("sourceSampleRate").GetInt32());
    }

    private static readonly string[] Architectures = ["wav2vec2", "resnet18"];

    [Fact]
    public async Task A_long_clip_is_scored_on_its_speech_only_with_a_timeline_of_both_models()
    {
        // 3 s of sound, 6 s of silence, 3 s of sound: the silence gets no window.
        var samples = new float[12 * 16_000];
        for (var i = 0; i < samples.Length; i++)
            if (i < 3 * 16_000 || i >= 9 * 16_000) samples[i] = (float)(0.3 * Math.Sin(2 * Math.PI * 220 * i / 16_000.0));

        var body = await Json(await PostRaw(TestWav.Float32(samples), query: "?segments=true"));

        var speech = body.GetProperty("speech").EnumerateArray().Select(s => (s.GetProperty("startSeconds").GetDouble(), s.GetProperty("endSeconds").GetDouble())).ToArray();
        Assert.Equal(2, speech.Length);
        Assert.Equal((0.0, 3.1), (speech[0].Item1, Math.Round(speech[0].Item2, 1)));
        Assert.Equal((8.9, 12.0), (Math.Round(speech[1].Item1, 1), speech[1].Item2));
        var segments = body.GetProperty("segments").EnumerateArray().ToArray();
        Assert.NotEmpty(segments);
        Assert.All(segments, s =>
        {
            Assert.True(s.GetProperty("endSeconds").GetDouble() <= 3.2 || s.GetProperty("startSeconds").GetDouble() >= 8.8, $"a window over the silence: {s}");
            foreach (var model in Architectures)
            {
                var p = s.GetProperty("predictions").GetProperty(model);
                Assert.Equal(p.GetProperty("probabilities").GetProperty(p.GetProperty("label").GetString()!).GetDouble(), p.GetProperty("confidence").GetDouble(), 6);
                Assert.Equal(p.GetProperty("confidence").GetDouble() < 0.4, p.GetProperty("uncertain").GetBoolean());
            }
            var labels = Architectures.Select(m => s.GetProperty("predictions").GetProperty(m).GetProperty("label").GetString()).Distinct().Count();
            Assert.Equal(labels == 1, s.GetProperty("agree").GetBoolean());
        });
    }

    [Fact]
    public async Task A_browser_upload_from_the_timeline_page_gets_the_timeline_as_a_page()
    {
        var form = await _client.GetStringAsync(new Uri("/timeline", UriKind.Relative), Ct);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/classify?segments=true", UriKind.Relative));
        var file = new ByteArrayContent(TestWav.Tone(seconds: 8));
        file.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        request.Content = new MultipartFormDataContent { { file, "file", "clip.wav" } };
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml");

        var response = await _client.SendAsync(request, Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);

        Assert.Contains("action=\"/classify?segments=true\"", form, StringComparison.Ordinal);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.Equal(2 * 3, html.Split("class=\"segment\"").Length - 1); // 8 s: windows at 0, 2.5 and 3 s, for two models
        Assert.Contains("class=\"speech\"", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/plain", "hello", 415, "Content type 'text/plain'")]
    [InlineData("audio/wav", "OggS\0\u0002\0\0\0\0\0\0\0\0OpusHead", 415, "Ogg/Opus")]
    [InlineData("audio/wav", "fLaC\0\0\0\"", 415, "FLAC")]
    [InlineData("audio/wav", "", 400, "empty")]
    [InlineData("application/octet-stream", "RIFF\u0024\0\0\0WAVEfmt \u0010\0\0\0\u0001", 400, "truncated")]
    public async Task Refusals_are_problem_details_with_the_reason(string type, string content, int status, string reason)
    {
        var response = await PostRaw(Encoding.Latin1.GetBytes(content), type);
        var body = await Json(response);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(reason, body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(status, body.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Malformed_audio_gets_the_decoders_message()
    {
        var response = await PostRaw(TestWav.Tone(seconds: 0.5, bits: 12));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("12 bits per sample", (await Json(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Uploads_over_the_byte_or_length_limit_get_413()
    {
        var tooLong = await PostRaw(TestWav.Tone(seconds: 31, rate: 8_000, bits: 8));
        var tooBig = await PostRaw(new byte[3_100_000]);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLong.StatusCode);
        Assert.Contains("limit is 30", (await Json(tooLong)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
    }

    [Fact]
    public async Task A_clip_under_25_ms_is_refused_and_unknown_models_are_listed()
    {
        var tooShort = await PostRaw(TestWav.Tone(seconds: 0.02));
        var unknown = await PostRaw(TestWav.Tone(seconds: 0.5), query: "?models=resnet18,lstm");

        Assert.Equal(HttpStatusCode.BadRequest, tooShort.StatusCode);
        Assert.Contains("25 ms", (await Json(tooShort)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("lstm", (await Json(unknown)).GetProperty("errors").GetProperty("models")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_multipart_body_without_a_file_part_is_a_400()
    {
        using var form = new MultipartFormDataContent { { new StringContent("x"), "other" } };

        var response = await _client.PostAsync(new Uri("/classify", UriKind.Relative), form, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'file'", (await Json(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_requests_all_succeed_with_the_same_answers_as_alone()
    {
        var clips = Enumerable.Range(0, 12).Select(i => TestWav.Tone(seconds: 0.6 + 0.1 * (i % 3), frequency: 200 + 50 * i)).ToArray();
        var alone = new List<double[]>();
        foreach (var clip in clips) alone.Add(Probabilities(await Json(await PostRaw(clip))));

        // Batched with other requests, a clip may take other kernels: equal within float rounding.
        var together = await Task.WhenAll(clips.Select(async clip => Probabilities(await Json(await PostRaw(clip)))));

        for (var i = 0; i < clips.Length; i++)
            Assert.True(alone[i].Zip(together[i]).All(p => Math.Abs(p.First - p.Second) < 1e-4), $"clip {i}");
    }

    [Fact]
    public async Task A_batch_answers_each_file_in_order_with_its_own_status()
    {
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(TestWav.Tone(0.5)), "files", "a.wav" },
            { new ByteArrayContent(Encoding.ASCII.GetBytes("not audio")), "files", "b.txt" },
            { new ByteArrayContent(TestWav.Tone(0.9, rate: 8_000)), "files", "c.wav" },
        };

        var response = await _client.PostAsync(new Uri("/classify/batch", UriKind.Relative), form, Ct);
        var results = (await Json(response)).GetProperty("results").EnumerateArray().ToArray();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["a.wav", "b.txt", "c.wav"], results.Select(r => r.GetProperty("fileName").GetString()));
        Assert.Equal([200, 415, 200], results.Select(r => r.GetProperty("status").GetInt32()));
        Assert.Contains("text", results[1].GetProperty("problem").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0.9, results[2].GetProperty("result").GetProperty("audio").GetProperty("durationSeconds").GetDouble(), 3);
    }

    [Fact]
    public async Task A_batch_without_files_is_a_400()
    {
        using var form = new MultipartFormDataContent { { new StringContent("x"), "other" } };

        var response = await _client.PostAsync(new Uri("/classify/batch", UriKind.Relative), form, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await Json(response)).GetProperty("errors").TryGetProperty("files", out _));
    }

    [Fact]
    public async Task No_corrupted_upload_gets_a_500()
    {
        var random = new Random(99);
        var valid = TestWav.Tone(0.3, channels: 2);
        var statuses = new HashSet<HttpStatusCode>();
        for (var i = 0; i < 150; i++)
        {
            var body = (byte[])valid.Clone();
            for (var k = random.Next(1, 8); k > 0; k--) body[random.Next(Math.Min(body.Length, 64))] = (byte)random.Next(256);
            if (random.Next(3) == 0) body = body[..random.Next(body.Length)];
            statuses.Add((await PostRaw(body, random.Next(2) == 0 ? "audio/wav" : "application/octet-stream")).StatusCode);
        }

        Assert.All(statuses, s => Assert.Contains(s, new[] { HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.UnsupportedMediaType, HttpStatusCode.RequestEntityTooLarge }));
    }

    [Fact]
    public async Task The_example_wav_is_a_valid_clip_that_classifies()
    {
        var wav = await _client.GetByteArrayAsync(new Uri("/examples/tone.wav", UriKind.Relative), Ct);

        var response = await PostRaw(wav);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0.5, (await Json(response)).GetProperty("audio").GetProperty("durationSeconds").GetDouble(), 3);
    }

    [Fact]
    public async Task A_full_queue_answers_503_with_retry_after_and_nothing_else_fails()
    {
        using var small = new ModelServingFactory(_models);
        small.Settings["Ser:Inference:QueueCapacity"] = "1";
        small.Settings["Ser:Inference:MaxBatch"] = "1";
        await small.WaitUntilReadyAsync(Ct);
        using var client = small.CreateClient();
        var clip = TestWav.Tone(seconds: 20);

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ =>
        {
            var content = new ByteArrayContent(clip);
            content.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
            return client.PostAsync(new Uri("/classify?models=wav2vec2", UriKind.Relative), content, Ct);
        }));

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable }));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        var busy = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToArray();
        Assert.NotEmpty(busy);
        Assert.All(busy, r => Assert.Equal(TimeSpan.FromSeconds(1), r.Headers.RetryAfter?.Delta));
    }

    [Fact]
    public async Task Prometheus_metrics_count_requests_and_time_inference()
    {
        Assert.Equal(HttpStatusCode.OK, (await PostRaw(TestWav.Tone(0.5))).StatusCode);

        var text = await _client.GetStringAsync(new Uri("/metrics", UriKind.Relative), Ct);

        Assert.Contains("http_requests_received_total{code=\"200\",method=\"POST\",controller=\"\",action=\"\",endpoint=\"/classify\"}", text, StringComparison.Ordinal);
        Assert.Contains("ser_inference_seconds_count{architecture=\"resnet18\"}", text, StringComparison.Ordinal);
        // Windows per pass: this request's window went through a pass of each model.
        Assert.Matches(@"ser_batch_size_windows_sum\{architecture=""wav2vec2""\} [1-9]", text);
        Assert.Matches(@"ser_batch_size_windows_count\{architecture=""resnet18""\} [1-9]", text);
        Assert.Contains("ser_inference_queue_length{architecture=\"wav2vec2\"}", text, StringComparison.Ordinal);
        Assert.Contains("ser_jobs{state=\"running\"}", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Models_lists_both_loaded_from_folders()
    {
        var body = await _client.GetFromJsonAsync<JsonElement>(new Uri("/models", UriKind.Relative), Ct);

        var loaded = body.GetProperty("loaded").EnumerateArray().ToArray();
        Assert.Equal(["resnet18", "wav2vec2"], loaded.Select(m => m.GetProperty("architecture").GetString()));
        Assert.All(loaded, m => Assert.Equal("folder", m.GetProperty("source").GetString()));
        Assert.Equal("wav2vec2-tiny", loaded[1].GetProperty("preset").GetString());
        Assert.True(loaded[1].GetProperty("parameters").GetInt64() > 100_000);
    }

    private static double[] Probabilities(JsonElement body) =>
        body.GetProperty("predictions").EnumerateObject()
            .SelectMany(p => p.Value.GetProperty("probabilities").EnumerateObject().Select(x => x.Value.GetDouble())).ToArray();
}
