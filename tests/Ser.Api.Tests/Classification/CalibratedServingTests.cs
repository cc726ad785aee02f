using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Ser.Api.Classification;
using Ser.Api.Tests.Wav;
using Ser.Core.Evaluation;
using Ser.Core.Models;

namespace Ser.Api.Tests.Classification;

/// <summary>A model folder's calibration.json is applied to what is served, and a target coverage picks the threshold.</summary>
public sealed class CalibratedServingTests : IClassFixture<ServedModelsFixture>, IDisposable
{
    private const double Temperature = 3;
    private readonly string _folders = Directory.CreateTempSubdirectory("ser-calibrated-").FullName;
    private readonly ServedModelsFixture _models;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public CalibratedServingTests(ServedModelsFixture models) => _models = models;

    public void Dispose() => Directory.Delete(_folders, recursive: true);

    // Ten validation clips, confidence descending 0.9 … 0.45, the first six right.
    private static ModelCalibration Calibration() => new(Temperature, 10, 1.2, 1.0, 0.2, 0.05,
        Enumerable.Range(0, 10).Select(i => 0.9 - 0.05 * i).ToArray(), Enumerable.Range(0, 10).Select(i => i < 6).ToArray());

    private static async Task<JsonElement> ClassifyAsync(SerApiFactory factory, byte[] wav)
    {
        await factory.WaitUntilReadyAsync(Ct);
        using var client = factory.CreateClient();
        using var content = new ByteArrayContent(wav);
        content.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        using var response = await client.PostAsync(new Uri("/classify?segments=true", UriKind.Relative), content, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private static float[] Probabilities(JsonElement prediction) =>
        prediction.GetProperty("probabilities").EnumerateObject().Select(p => (float)p.Value.GetDouble()).ToArray();

    [Fact]
    public async Task Served_probabilities_are_scaled_by_the_folders_temperature_and_uncertain_follows_the_target_coverage()
    {
        var resnet = Path.Combine(_folders, "resnet18");
        Directory.CreateDirectory(resnet);
        foreach (var file in Directory.GetFiles(_models.ResNetPath)) File.Copy(file, Path.Combine(resnet, Path.GetFileName(file)));
        Calibration().Save(resnet);
        var wav = TestWav.Tone(seconds: 1.5);

        using var plain = new ModelServingFactory(_models);
        var raw = await ClassifyAsync(plain, wav);
        using var calibrated = new ModelServingFactory(_models);
        calibrated.Settings["Ser:Models:resnet18:Path"] = resnet;
        calibrated.Settings["Ser:Inference:Abstain:resnet18:TargetCoverage"] = "0.5";
        var scaled = await ClassifyAsync(calibrated, wav);

        var before = raw.GetProperty("predictions").GetProperty("resnet18");
        var after = scaled.GetProperty("predictions").GetProperty("resnet18");
        var expected = TemperatureScaling.Apply(Probabilities(before), Temperature);
        Assert.Equal(expected, Probabilities(after), (a, b) => Math.Abs(a - b) < 2e-5);
        Assert.Equal(Temperature, after.GetProperty("temperature").GetDouble());
        Assert.Equal(before.GetProperty("label").GetString(), after.GetProperty("label").GetString());
        // Coverage 0.5 of the validation clips: the fifth most confident, 0.7.
        Assert.Equal(0.7, after.GetProperty("uncertainBelow").GetDouble(), 9);
        Assert.Equal(after.GetProperty("confidence").GetDouble() < 0.7, after.GetProperty("uncertain").GetBoolean());
        // The timeline is calibrated too; the other model is served as it was, with the global threshold.
        var segment = scaled.GetProperty("segments")[0].GetProperty("predictions").GetProperty("resnet18");
        Assert.Equal(Probabilities(after), Probabilities(segment), (a, b) => Math.Abs(a - b) < 2e-5);
        var wav2vec2 = scaled.GetProperty("predictions").GetProperty("wav2vec2");
        Assert.Equal(JsonValueKind.Null, wav2vec2.GetProperty("temperature").ValueKind);
        Assert.Equal(0.4, wav2vec2.GetProperty("uncertainBelow").GetDouble());

        using var client = calibrated.CreateClient();
        var models = await client.GetFromJsonAsync<JsonElement>(new Uri("/models", UriKind.Relative), Ct);
        var info = models.GetProperty("loaded").EnumerateArray().Single(m => m.GetProperty("architecture").GetString() == "resnet18").GetProperty("calibration");
        Assert.Equal(("coverage", 0.5, 10), (info.GetProperty("rule").GetString(), info.GetProperty("validationCoverage").GetDouble(), info.GetProperty("validationClips").GetInt32()));
        Assert.Equal(1.0, info.GetProperty("validationAccuracy").GetDouble());
    }

    [Fact]
    public void A_risk_target_answers_as_many_validation_clips_as_it_allows_and_no_validation_falls_back_to_the_fixed_threshold()
    {
        var options = new InferenceOptions { AbstainBelow = 0.35 };
        options.Abstain["wav2vec2"] = new AbstainOptions { MaxRisk = 0.25 };

        var risk = AbstainPolicy.Resolve(options, "wav2vec2", Calibration());
        var none = AbstainPolicy.Resolve(options, "wav2vec2", null);
        var other = AbstainPolicy.Resolve(options, "resnet18", Calibration());

        // Errors start at the 7th clip: 8 answered is 2 wrong of 8 (0.25), 9 would be 3 of 9.
        Assert.Equal(("risk", 0.55, 0.8, 0.75), (risk.Rule, risk.Below, risk.ValidationCoverage!.Value, risk.ValidationAccuracy!.Value));
        Assert.Equal(("fixed", 0.35), (none.Rule, none.Below));
        Assert.Contains("no validation clips", none.Note, StringComparison.Ordinal);
        Assert.Equal(("fixed", 0.35, null), (other.Rule, other.Below, other.Note));
    }

    [Theory]
    [InlineData("lstm", null, null, "not wav2vec2 or resnet18")]
    [InlineData("resnet18", 0.8, 0.1, "set one of")]
    [InlineData("resnet18", 1.5, null, "TargetCoverage must be in (0, 1]")]
    [InlineData("resnet18", null, 1.0, "MaxRisk must be in [0, 1)")]
    public void Bad_abstain_settings_are_refused_at_start_up_naming_the_key(string architecture, double? coverage, double? risk, string message)
    {
        var options = new InferenceOptions();
        options.Abstain[architecture] = new AbstainOptions { TargetCoverage = coverage, MaxRisk = risk };

        var result = new InferenceOptionsValidator().Validate(Options.DefaultName, options);

        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Ser:Inference:Abstain:" + architecture, result.FailureMessage, StringComparison.Ordinal);
    }
}
