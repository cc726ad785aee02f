namespace Ser.Core.Data.Splits;

/// <summary>Makes splits from a seed. Speaker-independent splits are stratified by sex (each sex's speakers are
/// dealt out separately), so train, validation and test keep the corpus's balance. The same corpus and seed give
/// the same split on any machine (<see cref="DeterministicRandom"/>, ordinal sorting).</summary>
public static class Splitter
{
    /// <summary>Actor-disjoint train/validation/test.</summary>
    public static DataSplit ByActor(Corpus corpus, long seed, double validation = 0.15, double test = 0.15)
    {
        CheckFractions(validation, test);
        var random = new DeterministicRandom(seed);
        var (train, val, tst) = (new List<string>(), new List<string>(), new List<string>());
        foreach (var stratum in SpeakersBySex(corpus)) Deal(stratum.ToList(), random, validation, test, train, val, tst);
        return Build(corpus, SplitStrategy.Actor, seed, validation, test, 0, 0, train, val, tst);
    }

    /// <summary>K folds of actors; <paramref name="fold"/> is the test fold, validation actors come from the rest.</summary>
    public static DataSplit ByActorFold(Corpus corpus, long seed, int folds, int fold, double validation = 0.15)
    {
        if (folds < 2) throw new ArgumentOutOfRangeException(nameof(folds), folds, "At least 2 folds.");
        if (fold < 0 || fold >= folds) throw new ArgumentOutOfRangeException(nameof(fold), fold, $"Fold must be 0 to {folds - 1}.");
        CheckFractions(validation, 0);
        var random = new DeterministicRandom(seed);
        var (train, val, tst) = (new List<string>(), new List<string>(), new List<string>());
        var dealt = 0;
        foreach (var stratum in SpeakersBySex(corpus))
        {
            var speakers = stratum.ToList();
            random.Shuffle(speakers);
            // Deal round-robin, continuing across strata so fold sizes stay within one speaker of each other.
            var rest = new List<string>();
            foreach (var speaker in speakers) ((dealt++ % folds) == fold ? tst : rest).Add(speaker);
            var nVal = Share(rest.Count, validation / (1 - 1.0 / folds));
            val.AddRange(rest.Take(nVal));
            train.AddRange(rest.Skip(nVal));
        }
        return Build(corpus, SplitStrategy.ActorKFold, seed, validation, 1.0 / folds, folds, fold, train, val, tst);
    }

    /// <summary>Per-clip split stratified by label, as the reference study did: speaker-dependent.</summary>
    public static DataSplit Random(Corpus corpus, long seed, double validation = 0.1, double test = 0.2)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        CheckFractions(validation, test);
        var random = new DeterministicRandom(seed);
        var (train, val, tst) = (new List<ClipInfo>(), new List<ClipInfo>(), new List<ClipInfo>());
        foreach (var label in corpus.Clips.GroupBy(c => c.Label).OrderBy(g => g.Key)) Deal(label.ToList(), random, validation, test, train, val, tst);
        return new DataSplit(SplitStrategy.Random, seed, validation, test, 0, 0, corpus.Name, corpus.ManifestHash,
            Part(train), Part(val), Part(tst));
    }

    /// <summary>CREMA-D's published actor split (<see cref="StandardSplit"/>); the seed is only recorded. The fractions
    /// recorded are the clip shares that result.</summary>
    /// <exception cref="DatasetException">A speaker of the corpus is not a CREMA-D actor of the list, or a side would be empty.</exception>
    public static DataSplit Standard(Corpus corpus, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        var speakers = corpus.Clips.Select(c => c.Speaker).Distinct().Order(StringComparer.Ordinal).ToArray();
        var unknown = speakers.Where(s => !StandardSplit.Train.Contains(s) && !StandardSplit.Dev.Contains(s) && !StandardSplit.Test.Contains(s)).ToArray();
        if (unknown.Length > 0)
            throw new DatasetException($"The standard split lists CREMA-D's actors 1001–1091; {unknown.Length} speaker(s) of '{corpus.Name}' are not among them "
                + $"({string.Join(", ", unknown.Take(5))}{(unknown.Length > 5 ? ", …" : "")}). Use the actor strategy for other corpora.");
        var train = speakers.Where(StandardSplit.Train.Contains).ToList();
        var dev = speakers.Where(StandardSplit.Dev.Contains).ToList();
        var test = speakers.Where(StandardSplit.Test.Contains).ToList();
        var empty = new[] { ("train", train), ("dev", dev), ("test", test) }.Where(p => p.Item2.Count == 0).Select(p => p.Item1).ToArray();
        if (empty.Length > 0)
            throw new DatasetException($"The standard split leaves {string.Join(" and ", empty)} without clips on '{corpus.Name}' "
                + $"({speakers.Length} of CREMA-D's 91 actors present): it needs actors from each of its lists.");
        var split = Build(corpus, SplitStrategy.Standard, seed, 0, 0, 0, 0, train, dev, test);
        double Share(SplitPart part) => Math.Round((double)part.Clips.Count / corpus.Clips.Count, 4);
        return split with { ValidationFraction = Share(split.Validation), TestFraction = Share(split.Test) };
    }

    // Shuffles one stratum and deals it out: test first, then validation (as a share of what is left), rest to train.
    private static void Deal<T>(List<T> items, DeterministicRandom random, double validation, double test, List<T> train, List<T> val, List<T> tst)
    {
        random.Shuffle(items);
        var nTest = Share(items.Count, test);
        var nVal = Share(items.Count - nTest, validation / (1 - test));
        tst.AddRange(items.Take(nTest));
        val.AddRange(items.Skip(nTest).Take(nVal));
        train.AddRange(items.Skip(nTest + nVal));
    }

    private static DataSplit Build(Corpus corpus, SplitStrategy strategy, long seed, double validation, double test, int folds, int fold,
        List<string> train, List<string> val, List<string> tst)
    {
        SplitPart Of(List<string> speakers)
        {
            var set = speakers.ToHashSet(StringComparer.Ordinal);
            return Part(corpus.Clips.Where(c => set.Contains(c.Speaker)));
        }
        return new DataSplit(strategy, seed, validation, test, folds, fold, corpus.Name, corpus.ManifestHash, Of(train), Of(val), Of(tst));
    }

    private static SplitPart Part(IEnumerable<ClipInfo> clips)
    {
        var list = clips.OrderBy(c => c.Id, StringComparer.Ordinal).ToArray();
        return new SplitPart(list.Select(c => c.Speaker).Distinct().Order(StringComparer.Ordinal).ToArray(), list.Select(c => c.Id).ToArray());
    }

    // Speakers grouped by sex ("unknown" last), each group sorted so shuffling starts from the same order everywhere.
    private static IEnumerable<IEnumerable<string>> SpeakersBySex(Corpus corpus)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        return corpus.Clips.GroupBy(c => c.Speaker).Select(g => (Speaker: g.Key, Sex: g.First().Sex ?? "unknown"))
            .GroupBy(s => s.Sex).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Select(s => s.Speaker).Order(StringComparer.Ordinal));
    }

    // At least one speaker for a non-zero fraction, and never all of them.
    private static int Share(int count, double fraction) =>
        fraction <= 0 || count <= 1 ? 0 : Math.Clamp((int)Math.Round(count * fraction, MidpointRounding.AwayFromZero), 1, count - 1);

    private static void CheckFractions(double validation, double test)
    {
        if (validation < 0 || test < 0 || validation + test >= 1)
            throw new ArgumentException($"Validation ({validation}) and test ({test}) fractions must be ≥ 0 and sum to less than 1.");
    }
}
