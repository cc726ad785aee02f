using Ser.Core.Data;
using Ser.Core.Data.Splits;
using Ser.Training.Runs;

namespace Ser.Training.Cli.Commands;

public sealed class SplitCommand : ICliCommand
{
    public string Name => "split";

    public string Summary => "make a split file (actor-disjoint by default) from a seed";

    public string Usage => """
        ser-train split --dataset-path DIR --out FILE [--dataset-kind crema-d|csv|synthetic] [--strategy actor|actor-kfold|random|standard]
                        [--seed 42] [--validation 0.15] [--test 0.15] [--folds 5] [--fold 0]

        Writes the speakers and clip ids of train, validation and test, with the seed and the corpus hash, and prints what
        the sides share (speakers, sentences, byte-identical audio); a speaker-independent split that shares speakers or
        audio is refused (exit code 3).
        actor and actor-kfold are speaker-independent and stratified by sex; random is per clip (speaker-dependent);
        standard is CREMA-D's published actor split (audEERING, 56/17/18 actors; the seed is only recorded).
        """;

    public Task<int> RunAsync(IReadOnlyList<string> args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var a = new CliArguments(args, ["dataset-path", "dataset-kind", "out", "strategy", "seed", "validation", "test", "folds", "fold"]);
        var spec = Spec(a);
        var output = a.Required("out");
        var corpus = DatasetLoader.Load("dataset", a.Get("dataset-kind") ?? DatasetKinds.CremaD, a.Required("dataset-path"));
        var split = spec.Apply(corpus);
        var audit = LeakageAudit.Of(split, corpus, LeakageAudit.FileHash);
        if (audit.Violation(split) is { } violation) throw new DatasetException(violation);
        split.Save(a.Required("out"));
        context.Output.WriteLine($"{split.Strategy.Name()} split {split.Hash[..12]} (seed {split.Seed}): train {split.Train.Speakers.Count} speakers / "
            + $"{split.Train.Clips.Count} clips, validation {split.Validation.Speakers.Count} / {split.Validation.Clips.Count}, "
            + $"test {split.Test.Speakers.Count} / {split.Test.Clips.Count} → {Path.GetFullPath(a.Required("out"))}");
        context.Output.WriteLine($"leakage between sides: {audit.SharedSpeakers} speakers, {audit.SharedSentences} sentences, "
            + $"{audit.IdenticalAudioGroups} identical-audio groups ({audit.HashedClips} clips hashed)");
        return Task.FromResult(ExitCodes.Success);
    }

    internal static SplitSpec Spec(CliArguments a)
    {
        ArgumentNullException.ThrowIfNull(a);
        var strategy = a.Get("strategy") ?? "actor";
        var parsed = SplitStrategyNames.Parse(strategy)
            ?? throw new CliUsageException($"unknown strategy '{strategy}' ({SplitStrategyNames.Listed})");
        var d = new SplitSpec();
        return new SplitSpec(parsed, a.Long("seed") ?? d.Seed, a.Double("validation") ?? d.Validation, a.Double("test") ?? d.Test,
            a.Int("folds") ?? d.Folds, a.Int("fold") ?? d.Fold);
    }
}
