using Ser.Core.Data;
using Ser.Core.Data.Splits;

namespace Ser.Training.Runs;

/// <summary>How to split: strategy, seed and ratios (or folds). Applied to a corpus it gives a <see cref="DataSplit"/>.</summary>
public sealed record SplitSpec(SplitStrategy Strategy = SplitStrategy.Actor, long Seed = 42, double Validation = 0.15, double Test = 0.15,
    int Folds = 5, int Fold = 0)
{
    public DataSplit Apply(Corpus corpus) => Strategy switch
    {
        SplitStrategy.ActorKFold => Splitter.ByActorFold(corpus, Seed, Folds, Fold, Validation),
        SplitStrategy.Random => Splitter.Random(corpus, Seed, Validation, Test),
        SplitStrategy.Standard => Splitter.Standard(corpus, Seed),
        _ => Splitter.ByActor(corpus, Seed, Validation, Test),
    };
}
