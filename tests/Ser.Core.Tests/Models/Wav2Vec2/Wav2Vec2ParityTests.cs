using Ser.Tests;
using static TorchSharp.torch;

namespace Ser.Core.Tests.Models.Wav2Vec2;

/// <summary>Parity with the reference implementation on ../shared/fixtures (max abs diff ≤ 1e-4).</summary>
public sealed class Wav2Vec2ParityTests : IDisposable
{
    private const float Tolerance = 1e-4f;
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-w2v-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    public static TheoryData<string, bool, int> Cases()
    {
        var data = new TheoryData<string, bool, int>();
        foreach (var model in Wav2Vec2Fixture.Models)
            foreach (var layout in new[] { false, true })
                foreach (var i in new[] { 0, 1 }) data.Add(model, layout, i);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Conv_features_and_every_hidden_state_match(string model, bool parametrizations, int index)
    {
        using var classifier = Wav2Vec2Fixture.Load(model, parametrizations, _temp);
        var cases = Wav2Vec2Fixture.Cases(model);
        using var scope = NewDisposeScope();
        using var mode = inference_mode();

        using var output = classifier.Backbone.Forward(cases[$"input_values_{index}"], allHiddenStates: true);

        Assert.True(Wav2Vec2Fixture.MaxAbsDiff(output.ConvFeatures, cases[$"conv_features_{index}"]) <= Tolerance, "conv features");
        Assert.True(Wav2Vec2Fixture.MaxAbsDiff(stack(output.HiddenStates, 0), cases[$"hidden_states_{index}"]) <= Tolerance, "hidden states");
        Assert.True(Wav2Vec2Fixture.MaxAbsDiff(output.LastHiddenState, cases[$"last_hidden_state_{index}"]) <= Tolerance, "last hidden state");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_time_major_feature_encoder_matches_the_reference(string model, bool parametrizations, int index)
    {
        using var classifier = Wav2Vec2Fixture.Load(model, parametrizations, _temp);
        var cases = Wav2Vec2Fixture.Cases(model);
        var encoder = classifier.Backbone.FeatureEncoder;
        using var scope = NewDisposeScope();
        using var mode = inference_mode();

        // Forced, whichever form this process measured faster: group norm on the first layer (-base), layer norm on
        // every layer (-stable).
        var features = encoder.ForwardTimeMajor(cases[$"input_values_{index}"]);

        Assert.True(encoder.RunsTimeMajor);
        Assert.True(Wav2Vec2Fixture.MaxAbsDiff(features, cases[$"conv_features_{index}"]) <= Tolerance, "conv features");
    }

    [Fact]
    public void The_time_major_feature_encoder_refuses_to_run_under_autograd()
    {
        using var classifier = Wav2Vec2Fixture.Load(Wav2Vec2Fixture.Models.First(), false, _temp);
        using var samples = zeros(1, 4000);

        Assert.Throws<InvalidOperationException>(() => classifier.Backbone.FeatureEncoder.ForwardTimeMajor(samples));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Logits_match_plain_and_with_the_weighted_layer_sum(string model, bool parametrizations, int index)
    {
        var cases = Wav2Vec2Fixture.Cases(model);
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        foreach (var weighted in new[] { false, true })
        {
            using var classifier = Wav2Vec2Fixture.Load(model, parametrizations, _temp, weighted);

            var logits = classifier.forward(cases[$"input_values_{index}"], null);

            var expected = cases[weighted ? $"logits_weighted_{index}" : $"logits_{index}"];
            Assert.True(Wav2Vec2Fixture.MaxAbsDiff(logits, expected) <= Tolerance, weighted ? "weighted" : "plain");
        }
    }
}
