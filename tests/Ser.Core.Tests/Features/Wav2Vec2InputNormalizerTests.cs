using Ser.Core.Features;
using Ser.Core.Models.Checkpoints;
using Ser.Tests;

namespace Ser.Core.Tests.Features;

public class Wav2Vec2InputNormalizerTests
{
    [Theory]
    [InlineData("wav2vec2-tiny-base", 0)]
    [InlineData("wav2vec2-tiny-base", 1)]
    public void Normalisation_matches_the_hugging_face_feature_extractor(string model, int index)
    {
        var cases = SafeTensorsFile.Read(TestPaths.Fixture(model, "cases.safetensors"));
        try
        {
            var raw = cases[$"raw_{index}"].data<float>().ToArray();
            var expected = cases[$"input_values_{index}"].data<float>().ToArray();

            var actual = Wav2Vec2InputNormalizer.Normalize(raw);

            Assert.Equal(expected.Length, actual.Length);
            Assert.True(expected.Zip(actual).All(p => Math.Abs(p.First - p.Second) <= 1e-5));
        }
        finally
        {
            foreach (var t in cases.Values) t.Dispose();
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(32_003)]
    public void Any_length_normalises_as_the_serial_formula_in_doubles(int length)
    {
        var random = new Random(length);
        var clip = Enumerable.Range(0, length).Select(_ => (float)(0.3 + (0.2 * (random.NextDouble() - 0.5)))).ToArray();
        var mean = clip.Sum(s => (double)s) / length;
        var scale = 1 / Math.Sqrt((clip.Sum(s => (s - mean) * (s - mean)) / length) + Wav2Vec2InputNormalizer.Epsilon);

        var actual = Wav2Vec2InputNormalizer.Normalize(clip);

        Assert.All(clip.Zip(actual), p => Assert.Equal((float)((p.First - mean) * scale), p.Second, 1e-6f));
    }

    [Fact]
    public void A_constant_clip_becomes_zeros_instead_of_dividing_by_zero()
    {
        var output = Wav2Vec2InputNormalizer.Normalize(Enumerable.Repeat(0.25f, 100).ToArray());

        Assert.All(output, v => Assert.Equal(0f, v));
    }
}
