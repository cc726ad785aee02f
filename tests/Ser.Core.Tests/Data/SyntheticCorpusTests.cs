using System.Security.Cryptography;
using Ser.Core.Audio;
using Ser.Core.Data.CremaD;
using Ser.Core.Data.Synthetic;

namespace Ser.Core.Tests.Data;

public sealed class SyntheticCorpusTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-synth-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void The_corpus_has_cremad_names_and_16_kHz_mono_clips_of_1_3_to_5_seconds()
    {
        var root = Path.Combine(_temp, "a");
        SyntheticCorpusGenerator.Generate(root, new SyntheticCorpusOptions { Actors = 4, Sentences = 2, Seed = 1 }, TestContext.Current.CancellationToken);

        var files = Directory.GetFiles(Path.Combine(root, "AudioWAV"), "*.wav");
        // 4 actors × (DFA: 6 emotions × XX + IEO: neutral XX + 5 emotions × LO/MD/HI) = 4 × 22.
        Assert.Equal(4 * 22, files.Length);
        var decoder = new WavDecoder();
        foreach (var file in files)
        {
            Assert.NotNull(CremaDFileName.TryParse(Path.GetFileName(file), out _));
            var audio = decoder.Decode(File.ReadAllBytes(file));
            Assert.Equal(16_000, audio.SourceSampleRate);
            Assert.Equal(1, audio.SourceChannels);
            Assert.Equal(WavEncoding.Pcm16, audio.SourceEncoding);
            Assert.InRange(audio.DurationSeconds, 1.3, 5.0);
            Assert.DoesNotContain(AudioWarnings.Clipped, audio.Quality.Warnings);
        }
    }

    [Fact]
    public void The_same_seed_gives_byte_identical_files_and_another_seed_does_not()
    {
        var options = new SyntheticCorpusOptions { Actors = 2, Sentences = 1, Seed = 5 };
        SyntheticCorpusGenerator.Generate(Path.Combine(_temp, "x"), options, TestContext.Current.CancellationToken);
        SyntheticCorpusGenerator.Generate(Path.Combine(_temp, "y"), options, TestContext.Current.CancellationToken);
        SyntheticCorpusGenerator.Generate(Path.Combine(_temp, "z"), options with { Seed = 6 }, TestContext.Current.CancellationToken);

        Assert.Equal(Hashes("x"), Hashes("y"));
        Assert.NotEqual(Hashes("x"), Hashes("z"));
    }

    private Dictionary<string, string> Hashes(string name) =>
        Directory.GetFiles(Path.Combine(_temp, name, "AudioWAV")).ToDictionary(f => Path.GetFileName(f),
            f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));
}
