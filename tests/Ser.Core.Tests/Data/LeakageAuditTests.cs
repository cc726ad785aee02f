using Ser.Core.Data;
using Ser.Core.Data.CremaD;
using Ser.Core.Data.Splits;
using Ser.Core.Data.Synthetic;

namespace Ser.Core.Tests.Data;

public sealed class LeakageAuditTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-leakage-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private Corpus Synthetic()
    {
        var root = Path.Combine(_temp, "synthetic");
        if (!Directory.Exists(root))
            SyntheticCorpusGenerator.Generate(root, new SyntheticCorpusOptions { Actors = 9, Sentences = 2, Seed = 8 }, TestContext.Current.CancellationToken);
        return CremaDCorpus.Load("synthetic", root);
    }

    [Fact]
    public void An_actor_split_shares_sentences_but_no_speaker_or_audio_and_passes()
    {
        var corpus = Synthetic();
        var split = Splitter.ByActor(corpus, seed: 3, validation: 0.2, test: 0.2);

        var audit = LeakageAudit.Of(split, corpus, LeakageAudit.FileHash);

        Assert.Equal(["train-validation", "train-test", "validation-test"], audit.Pairs.Select(p => p.Parts));
        Assert.Equal(0, audit.SharedSpeakers);
        Assert.Equal(0, audit.IdenticalAudioGroups);
        Assert.Equal(2, audit.SharedSentences); // every actor reads the same two sentences
        Assert.Equal(corpus.Clips.Count, audit.HashedClips);
        Assert.Null(audit.Violation(split));
    }

    [Fact]
    public void A_random_split_shares_speakers_and_is_reported_not_refused()
    {
        var corpus = Synthetic();
        var split = Splitter.Random(corpus, seed: 3);

        var audit = LeakageAudit.Of(split, corpus, audioHash: null);

        Assert.Equal(9, audit.SharedSpeakers);
        Assert.Equal(split.Train.Speakers.Intersect(split.Test.Speakers).Order(), audit.Pairs.Single(p => p.Parts == "train-test").Speakers);
        Assert.Equal(0, audit.HashedClips);
        Assert.Null(audit.Violation(split));
    }

    [Fact]
    public void Identical_audio_under_two_speakers_on_two_sides_refuses_a_speaker_independent_split()
    {
        var corpus = Synthetic();
        var original = corpus.Clips.First(c => c.Speaker == "1001");
        var copy = Path.Combine(_temp, "copy.wav");
        File.Copy(original.Path, copy);
        var leaky = new Corpus("leaky", "csv", _temp, corpus.Clips.Append(original with { Id = "copy", Path = copy, Speaker = "1009" }));
        SplitPart Side(params string[] speakers) => new(speakers, leaky.Clips.Where(c => speakers.Contains(c.Speaker)).Select(c => c.Id).ToArray());
        var split = new DataSplit(SplitStrategy.Actor, 1, 0.2, 0.2, 0, 0, leaky.Name, leaky.ManifestHash,
            Side("1001", "1002", "1003", "1004", "1005"), Side("1006", "1007"), Side("1008", "1009"));

        var audit = LeakageAudit.Of(split, leaky, LeakageAudit.FileHash);

        var group = Assert.Single(audit.Pairs.Single(p => p.Parts == "train-test").IdenticalAudio);
        Assert.Equal([original.Id, "copy"], group);
        Assert.Equal(0, audit.SharedSpeakers);
        Assert.Contains("identical audio", audit.Violation(split), StringComparison.Ordinal);
        Assert.Contains(original.Id + " = copy", audit.Violation(split), StringComparison.Ordinal);
        Assert.Null(audit.Violation(split with { Strategy = SplitStrategy.Random }));
    }

    [Fact]
    public void A_speaker_on_two_sides_of_an_actor_split_is_named()
    {
        var corpus = Synthetic();
        SplitPart Side(string[] speakers, Func<ClipInfo, bool>? only = null) =>
            new(speakers, corpus.Clips.Where(c => speakers.Contains(c.Speaker) && (only?.Invoke(c) ?? true)).Select(c => c.Id).ToArray());
        var split = new DataSplit(SplitStrategy.Actor, 1, 0.2, 0.2, 0, 0, corpus.Name, corpus.ManifestHash,
            Side(["1001", "1002", "1003", "1004", "1005"], c => c.Sentence != "IEO" || c.Speaker != "1005"), Side(["1006", "1007"]),
            Side(["1005", "1008", "1009"], c => c.Speaker != "1005" || c.Sentence == "IEO"));

        var violation = LeakageAudit.Of(split, corpus, null).Violation(split);

        Assert.Contains("speakers (train-test: 1005)", violation, StringComparison.Ordinal);
    }
}
