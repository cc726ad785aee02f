using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ser.Core.Data;
using Ser.Core.Models;
using Ser.Core.Models.Wav2Vec2;
using Ser.Core.Runtime;
using Ser.Tests;
using static TorchSharp.torch;
using Ser.Api.Tests.Wav;

namespace Ser.Api.Tests.Models;

/// <summary>Float32 through the service is float32 on whatever CPU runs the test: a Hugging Face
/// Wav2Vec2ForSequenceClassification folder served with <c>Ser:Models:wav2vec2:Path</c>, in a fresh process (its own
/// start-up math check), answers the fixture's clips with PyTorch fp32's probabilities within 1e-4. Before the check, on
/// CPUs with AMX the service's fp32 matmuls ran in bfloat16 (1.3e-2 off).</summary>
public sealed class Float32ServingParityTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-parity-").FullName;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task A_hugging_face_folder_served_in_float32_matches_pytorch_within_1e_4_and_models_names_the_math()
    {
        const string model = "wav2vec2-tiny-base";
        var folder = Path.Combine(_temp, "hf");
        using (var classifier = Wav2Vec2Fixture.Load(model, parametrizations: false, _temp)) Wav2Vec2Checkpoint.Save(classifier, folder);
        var cases = Wav2Vec2Fixture.Cases(model);
        using var service = new ApiProcess(Path.Combine(_temp, "data"), new Dictionary<string, string> { ["Ser__Models__wav2vec2__Path"] = folder });
        await service.WaitUntilLiveAsync(Ct);
        await WaitForModelAsync(service);

        foreach (var i in new[] { 0, 1 })
        {
            var raw = cases[$"raw_{i}"].data<float>().ToArray();
            using var expected = cases[$"logits_{i}"].softmax(-1);
            var reference = expected.data<float>().ToArray();
            using var content = new ByteArrayContent(TestWav.Float32(raw));
            var response = await service.Http.PostAsync(new Uri("/classify?models=wav2vec2", UriKind.Relative), content, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            var probabilities = body.GetProperty("predictions").GetProperty("wav2vec2").GetProperty("probabilities");
            var worst = EmotionLabels.All.Select((label, k) => Math.Abs(probabilities.GetProperty(label).GetDouble() - reference[k])).Max();
            Assert.True(worst <= 1e-4, $"case {i}: max |Δp| {worst:0.0e0} against PyTorch fp32 ({CpuInfo.Current.Model})");
        }

        var models = await service.Http.GetFromJsonAsync<JsonElement>(new Uri("/models", UriKind.Relative), Ct);
        var math = models.GetProperty("math");
        Assert.Equal("Float32", math.GetProperty("precision").GetString());
        Assert.True(math.GetProperty("float32Matmul").GetString() is "medium" or "highest");
        Assert.Equal(CpuInfo.Current.Model, math.GetProperty("cpu").GetString());
        Assert.True(math.GetProperty("exactError").GetDouble() <= 1e-5);
        var loaded = models.GetProperty("loaded").EnumerateArray().Single();
        Assert.Equal("Float32", loaded.GetProperty("precision").GetString());
        Assert.Equal(JsonValueKind.Null, loaded.GetProperty("bf16Drift").ValueKind); // a folder has no held-out clips
        Assert.Contains(service.Output, l => l.Contains("Float32 math: matmul precision " + math.GetProperty("float32Matmul").GetString(),
            StringComparison.Ordinal));
    }

    [Fact]
    public async Task BFloat16_is_served_only_where_this_cpu_runs_it_faster_and_models_says_why()
    {
        var folder = Path.Combine(_temp, "hf");
        using (var classifier = Wav2Vec2Fixture.Load("wav2vec2-tiny-base", parametrizations: false, _temp)) Wav2Vec2Checkpoint.Save(classifier, folder);
        using var service = new ApiProcess(Path.Combine(_temp, "data"), new Dictionary<string, string>
        {
            ["Ser__Models__wav2vec2__Path"] = folder,
            ["Ser__Inference__Precision"] = "BFloat16",
        });
        await service.WaitUntilLiveAsync(Ct);
        await WaitForModelAsync(service);

        var models = await service.Http.GetFromJsonAsync<JsonElement>(new Uri("/models", UriKind.Relative), Ct);
        var math = models.GetProperty("math");
        var expected = CpuInfo.Current.Bf16Speed;
        Assert.Equal("BFloat16", math.GetProperty("precision").GetString());
        Assert.Equal(expected.Faster, math.GetProperty("bf16Faster").GetBoolean());
        Assert.Equal(expected.Reason, math.GetProperty("bf16Reason").GetString());
        var served = models.GetProperty("loaded").EnumerateArray().Single().GetProperty("precision").GetString();
        Assert.Equal(expected.Faster ? "BFloat16" : "Float32", served);
        Assert.Equal(!expected.Faster, service.Output.Any(l => l.Contains("served in Float32", StringComparison.Ordinal)));
    }

    private static async Task WaitForModelAsync(ApiProcess service)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var models = await service.Http.GetFromJsonAsync<JsonElement>(new Uri("/models", UriKind.Relative), Ct);
            if (models.GetProperty("loaded").GetArrayLength() > 0) return;
            Assert.True(DateTime.UtcNow < deadline, "the folder model did not load:\n" + string.Join('\n', service.Output.TakeLast(20)));
            await Task.Delay(200, Ct);
        }
    }
}
