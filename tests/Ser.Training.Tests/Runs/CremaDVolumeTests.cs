using Ser.Core.Data;
using Ser.Core.Data.CremaD;
using Ser.Core.Data.Splits;

namespace Ser.Training.Tests.Runs;

/// <summary>On the real corpus, when a CREMA-D volume is mounted (SER_CREMA_D: the folder holding AudioWAV/): the standard
/// split and the leakage audit of the standard and the seed protocol's splits. Skipped elsewhere (no audio here).</summary>
public sealed class CremaDVolumeTests
{
    private static Corpus Load()
    {
        var root = Environment.GetEnvironmentVariable("SER_CREMA_D");
        if (string.IsNullOrEmpty(root) || !Directory.Exists(Path.Combine(root, "AudioWAV")))
            Assert.Skip("no CREMA-D volume: set SER_CREMA_D to the folder holding AudioWAV/");
        return CremaDCorpus.Load("crema-d", root);
    }

    [Fact]
    public void The_standard_split_of_the_real_corpus_has_the_published_actors_and_leaks_nothing_but_sentences()
    {
        var corpus = Load();

        var split = Splitter.Standard(corpus);
        var audit = LeakageAudit.Of(split, corpus, LeakageAudit.FileHash);

        Assert.Equal((56, 17, 18), (split.Train.Speakers.Count, split.Validation.Speakers.Count, split.Test.Speakers.Count));
        Assert.Equal(0, audit.SharedSpeakers);
        Assert.Equal(0, audit.IdenticalAudioGroups);
        Assert.Equal(12, audit.SharedSentences);
        Assert.Null(audit.Violation(split));
    }

    [Fact]
    public void The_seed_protocols_random_split_puts_every_actor_on_both_sides()
    {
        var corpus = Load();

        var split = Splitter.Random(corpus, 42, 0.08, 0.2);
        var audit = LeakageAudit.Of(split, corpus, audioHash: null);

        Assert.Equal(91, audit.SharedSpeakers);
        Assert.Equal(corpus.Clips.Count, split.Train.Clips.Count + split.Validation.Clips.Count + split.Test.Clips.Count);
    }
}
