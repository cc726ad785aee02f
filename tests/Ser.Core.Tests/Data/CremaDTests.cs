using System.Security.Cryptography;
using Ser.Core.Data;
using Ser.Core.Data.CremaD;
using Ser.Core.Data.Synthetic;

namespace Ser.Core.Tests.Data;

public sealed class CremaDTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-cremad-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Theory]
    [InlineData("1001_DFA_ANG_XX.wav", 1001, "DFA", 2, "XX")]
    [InlineData("1091_IEO_HAP_HI", 1091, "IEO", 1, "HI")]
    [InlineData("1050_WSI_NEU_XX.wav", 1050, "WSI", 0, "XX")]
    [InlineData("1002_IEO_FEA_LO.wav", 1002, "IEO", 4, "LO")]
    [InlineData("1003_TSI_DIS_XX.wav", 1003, "TSI", 5, "XX")]
    [InlineData("1004_MTI_SAD_MD.wav", 1004, "MTI", 3, "MD")]
    public void Names_parse_into_actor_sentence_label_and_intensity(string name, int actor, string sentence, int label, string intensity)
    {
        var parsed = CremaDFileName.TryParse(name, out var reason);

        Assert.Null(reason);
        Assert.Equal((actor, sentence, label, intensity), (parsed!.Actor, parsed.Sentence, parsed.Label, parsed.Intensity));
    }

    [Theory]
    [InlineData("1001_DFA_ANG.wav", "actor_sentence_emotion_intensity")]
    [InlineData("0999_DFA_ANG_XX.wav", "1001–1091")]
    [InlineData("1001_XXX_ANG_XX.wav", "sentence 'XXX'")]
    [InlineData("1001_DFA_JOY_XX.wav", "emotion 'JOY'")]
    [InlineData("1001_DFA_ANG_ZZ.wav", "intensity 'ZZ'")]
    public void Other_names_are_refused_with_the_reason(string name, string reason)
    {
        Assert.Null(CremaDFileName.TryParse(name, out var why));
        Assert.Contains(reason, why, StringComparison.Ordinal);
    }

    [Fact]
    public void The_embedded_tables_cover_every_clip_and_actor()
    {
        Assert.Equal(7442, CremaDMetadata.Manifest.Count);
        Assert.Equal(91, CremaDMetadata.Actors.Count);
        Assert.Equal(7442, CremaDMetadata.Votes.Count);
        Assert.Equal(1087, CremaDMetadata.Manifest.Keys.Count(f => f.Contains("_NEU_", StringComparison.Ordinal)));
        Assert.Equal(82_260, CremaDMetadata.Manifest["1076_MTI_SAD_XX.wav"].Bytes);
        Assert.Equal(new CremaDMetadata.ActorInfo(1001, 51, "male", "Caucasian", "Not Hispanic"), CremaDMetadata.Actors[1001]);
        Assert.Equal(43, CremaDMetadata.Actors.Values.Count(a => a.Sex == "female"));
        Assert.Contains("Open Database License", CremaDMetadata.License, StringComparison.Ordinal);
    }

    [Fact]
    public void Crowd_votes_join_with_ties_kept_and_read_strictly()
    {
        var clear = CremaDMetadata.Votes["1001_IEO_HAP_HI"];
        var tie = CremaDMetadata.Votes.Values.First(v => v.Labels.Count > 1);

        Assert.Equal([1], clear.Labels);
        Assert.Equal(63.5, clear.Agreement);
        Assert.Null(tie.StrictLabel);
    }

    [Fact]
    public void The_crowds_strict_audio_only_accuracy_is_41_6_percent()
    {
        var hits = CremaDMetadata.Votes.Count(v => v.Value.StrictLabel == CremaDFileName.TryParse(v.Key, out _)!.Label);

        Assert.Equal(0.416, (double)hits / CremaDMetadata.Votes.Count, 3);
    }

    [Fact]
    public void A_synthetic_volume_in_cremad_layout_loads_without_crowd_votes_and_with_its_own_sexes()
    {
        var root = Path.Combine(_temp, "synth");
        var manifest = SyntheticCorpusGenerator.Generate(root, new SyntheticCorpusOptions { Actors = 3, Sentences = 1 }, TestContext.Current.CancellationToken);
        File.WriteAllText(Path.Combine(root, "AudioWAV", "notes.wav"), "x");

        var corpus = CremaDCorpus.Load("synthetic", root);

        Assert.Equal("synthetic", corpus.Kind);
        Assert.Equal(3 * 6, corpus.Clips.Count);
        Assert.All(corpus.Clips, c => Assert.Null(c.Crowd));
        Assert.All(corpus.Clips, c => Assert.Equal(manifest.Sexes()[int.Parse(c.Speaker, System.Globalization.CultureInfo.InvariantCulture)], c.Sex));
        Assert.Contains(corpus.Excluded, e => e.File == "notes.wav" && e.Reason.StartsWith("not a CREMA-D name", StringComparison.Ordinal));
    }

    [Fact]
    public void Validation_reports_a_missing_a_truncated_and_an_extra_file_in_one_table()
    {
        var root = Path.Combine(_temp, "volume");
        SyntheticCorpusGenerator.Generate(root, new SyntheticCorpusOptions { Actors = 2, Sentences = 1 }, TestContext.Current.CancellationToken);
        var audio = Path.Combine(root, "AudioWAV");
        var manifest = Directory.GetFiles(audio).ToDictionary(f => Path.GetFileName(f),
            f => new CremaDMetadata.ManifestEntry(Path.GetFileName(f), new FileInfo(f).Length, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)))));
        File.Delete(Path.Combine(audio, "1001_DFA_ANG_XX.wav"));
        var truncated = Path.Combine(audio, "1002_DFA_SAD_XX.wav");
        File.WriteAllBytes(truncated, File.ReadAllBytes(truncated)[..30]);
        File.WriteAllBytes(Path.Combine(audio, "1003_DFA_HAP_XX.wav"), [1, 2, 3]);

        var report = CremaDValidator.Validate(root, verifyHashes: true, manifest: manifest, cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(report.IsComplete);
        Assert.Equal(1, report.Count(VolumeValidation.Status.Missing));
        Assert.Equal(1, report.Count(VolumeValidation.Status.WrongSize));
        Assert.Equal(1, report.Count(VolumeValidation.Status.Undecodable));
        Assert.Equal(1, report.Count(VolumeValidation.Status.Unexpected));
        var table = report.ToTable();
        Assert.Contains("1001_DFA_ANG_XX.wav", table, StringComparison.Ordinal);
        Assert.Contains("truncated", table, StringComparison.Ordinal);
        Assert.Contains("1003_DFA_HAP_XX.wav      unexpected", table, StringComparison.Ordinal);
        Assert.Contains("11 of 12 manifest files present", table, StringComparison.Ordinal);
    }

    [Fact]
    public void A_csv_manifest_corpus_plugs_in_and_excludes_what_it_cannot_use()
    {
        var root = Path.Combine(_temp, "csv");
        SyntheticCorpusGenerator.Generate(root, new SyntheticCorpusOptions { Actors = 2, Sentences = 1 }, TestContext.Current.CancellationToken);
        File.WriteAllText(Path.Combine(root, "manifest.csv"), """
            file,label,speaker,sex
            AudioWAV/1001_DFA_ANG_XX.wav,anger,spk1,Male
            AudioWAV/1001_DFA_NEU_XX.wav,neu,spk1,Male
            AudioWAV/1002_DFA_HAP_XX.wav,Happiness,spk2,female
            AudioWAV/1002_DFA_SAD_XX.wav,surprise,spk2,female
            AudioWAV/missing.wav,sad,spk2,female
            ../outside.wav,sad,spk2,female
            """);

        var corpus = DatasetLoader.Load("mine", "csv", root);

        Assert.Equal(["AudioWAV/1001_DFA_ANG_XX", "AudioWAV/1001_DFA_NEU_XX", "AudioWAV/1002_DFA_HAP_XX"], corpus.Clips.Select(c => c.Id));
        Assert.Equal([2, 0, 1], corpus.Clips.Select(c => c.Label));
        Assert.Equal("male", corpus.Clips[0].Sex);
        Assert.Equal(3, corpus.Excluded.Count);
        Assert.Contains(corpus.Excluded, e => e.Reason.Contains("leaves", StringComparison.Ordinal));
    }
}
