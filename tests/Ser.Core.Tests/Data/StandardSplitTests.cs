using System.Text.Json;
using Ser.Core.Data;
using Ser.Core.Data.CremaD;
using Ser.Core.Data.Splits;
using Ser.Core.Data.Synthetic;
using Ser.Tests;

namespace Ser.Core.Tests.Data;

public sealed class StandardSplitTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-standard-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static Corpus Actors(IEnumerable<int> actors) => new("test", "csv", "/nowhere",
        from a in actors
        from i in Enumerable.Range(0, 6)
        select new ClipInfo($"{a}_c{i}", $"/nowhere/{a}_{i}.wav", i, a.ToString(System.Globalization.CultureInfo.InvariantCulture), a % 2 == 0 ? "female" : "male"));

    [Fact]
    public void The_embedded_lists_are_the_published_56_17_18_actors()
    {
        using var shared = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Shared, "crema-d", "standard-split.json")));
        string[] Published(string part) => shared.RootElement.GetProperty(part).EnumerateArray().Select(a => a.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture)).Order().ToArray();

        Assert.Equal(Published("train"), StandardSplit.Train.Order());
        Assert.Equal(Published("dev"), StandardSplit.Dev.Order());
        Assert.Equal(Published("test"), StandardSplit.Test.Order());
        Assert.Equal((56, 17, 18), (StandardSplit.Train.Count, StandardSplit.Dev.Count, StandardSplit.Test.Count));
        Assert.Equal(Enumerable.Range(1001, 91).Select(a => a.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            StandardSplit.Train.Concat(StandardSplit.Dev).Concat(StandardSplit.Test).Order());
        Assert.Contains("audEERING", StandardSplit.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void A_91_actor_synthetic_corpus_splits_into_the_published_actors_whatever_the_seed()
    {
        var root = Path.Combine(_temp, "synthetic");
        SyntheticCorpusGenerator.Generate(root, new SyntheticCorpusOptions { Actors = 91, Sentences = 1, Seed = 2 }, TestContext.Current.CancellationToken);
        var corpus = CremaDCorpus.Load("synthetic", root);

        var split = Splitter.Standard(corpus, seed: 1);
        var other = Splitter.Standard(corpus, seed: 99);

        Assert.Equal(StandardSplit.Train.Order(), split.Train.Speakers);
        Assert.Equal(StandardSplit.Dev.Order(), split.Validation.Speakers);
        Assert.Equal(StandardSplit.Test.Order(), split.Test.Speakers);
        Assert.Equal(split.Test.Clips, other.Test.Clips);
        Assert.True(split.SpeakerIndependent);
        Assert.Equal(corpus.Clips.Count, split.Train.Clips.Count + split.Validation.Clips.Count + split.Test.Clips.Count);
        Assert.Equal(Math.Round(18.0 / 91, 4), split.TestFraction, 3);
        var path = Path.Combine(_temp, "split.json");
        split.Save(path);
        Assert.Contains("\"strategy\": \"standard\"", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Equal(split.Hash, DataSplit.Load(path).Hash);
    }

    [Fact]
    public void Speakers_that_are_not_cremad_actors_are_refused_by_name()
    {
        var corpus = Actors([1001, 1049, 1063]);
        var odd = new Corpus("mine", "csv", "/nowhere", corpus.Clips.Append(new ClipInfo("x", "/nowhere/x.wav", 0, "spk7")));

        var e = Assert.Throws<DatasetException>(() => Splitter.Standard(odd));

        Assert.Contains("spk7", e.Message, StringComparison.Ordinal);
        Assert.Contains("actor strategy", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corpus_that_leaves_a_side_empty_is_refused_naming_the_sides()
    {
        // 1001–1010 are all training actors in the published split.
        var e = Assert.Throws<DatasetException>(() => Splitter.Standard(Actors(Enumerable.Range(1001, 10))));

        Assert.Contains("dev and test", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_strategy_is_named_standard_everywhere()
    {
        Assert.Equal(SplitStrategy.Standard, SplitStrategyNames.Parse("standard"));
        Assert.Equal("standard", SplitStrategy.Standard.Name());
        Assert.True(SplitStrategy.Standard.IsSpeakerIndependent());
        Assert.False(SplitStrategy.Random.IsSpeakerIndependent());
    }
}
