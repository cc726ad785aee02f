using Ser.Core.Models;
using Ser.Core.Runtime;
using Ser.Training.Loops;
using Ser.Training.Recipes;
using Ser.Training.Reports;
using Ser.Training.Runs;

namespace Ser.Training.Cli.Commands;

public sealed class TrainCommand : ICliCommand
{
    private static readonly string[] Options =
    [
        "architecture", "preset", "wav2vec2-preset", "resnet18-preset", "dataset-path", "dataset-kind", "dataset", "data", "strategy", "seed",
        "validation", "test", "folds", "fold", "epochs", "batch-size", "learning-rate", "encoder-learning-rate", "weight-decay", "warmup",
        "gradient-clip", "accumulation", "max-seconds", "patience", "checkpoint-every", "optimizer", "spec-augment", "training-seed",
        "base-checkpoint", "wav2vec2-checkpoint", "resnet18-checkpoint", "resume", "threads", "device", "name",
    ];

    public string Name => "train";

    public string Summary => "train (and test) wav2vec2, resnet18 or both on a split; resumable";

    public string Usage => """
        ser-train train --architecture wav2vec2|resnet18|both --dataset-path DIR [options]
        ser-train train --resume RUN [--data DIR]

        Data:   --dataset-kind crema-d|csv|synthetic (crema-d)  --dataset NAME  --data DIR (runs and registry, ./data)
        Split:  --strategy actor|actor-kfold|random (actor)  --seed 42  --validation 0.15  --test 0.15  --folds 5  --fold 0
        Model:  --preset P | --wav2vec2-preset P --resnet18-preset P | --tiny   (wav2vec2-base, resnet18; tiny: *-tiny)
                --base-checkpoint PATH | --wav2vec2-checkpoint DIR --resnet18-checkpoint FILE   (HF folder / torchvision weights)
        Train:  --epochs --batch-size --learning-rate --encoder-learning-rate --weight-decay --warmup --gradient-clip
                --accumulation --max-seconds --patience --checkpoint-every --optimizer adamw|sgd --spec-augment N
                --class-balanced --train-feature-encoder --freeze-base --training-seed S --threads N --device cpu|cuda|auto

        Each architecture becomes a run under DIR/runs/{id}; both runs share one split and are compared at the end.
        Ctrl-C stops at the next step with a checkpoint (exit 130); --resume RUN continues it.
        """;

    public async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var a = new CliArguments(args, Options, ["class-balanced", "train-feature-encoder", "freeze-base", "tiny"]);
        if (a.Int("threads") is { } threads) TorchRuntime.SetThreads(threads);
        var logger = context.Logging.CreateLogger("ser-train");
        TorchRuntime.Initialize(logger);
        var runner = new TrainingRunner(Store(a.Get("data")), Registry(a.Get("data")), logger);
        var runIds = a.Get("resume") is { } resume ? [resume] : CreateRuns(a, runner);
        var bar = new ProgressBar(context.Error);
        foreach (var id in runIds)
        {
            context.Error.WriteLine($"Run {id}: {runner.Store.ReadSpec(id).Architecture}/{runner.Store.ReadSpec(id).Preset}");
            try
            {
                var summary = await runner.TrainAsync(id, bar, cancellationToken).ConfigureAwait(false);
                bar.Done();
                context.Output.WriteLine($"{id} {summary.Architecture}/{summary.Preset}: test WA {summary.Wa:0.000}, UA {summary.Ua:0.000}, macro-F1 {summary.MacroF1:0.000} ({summary.SplitStrategy} split)");
            }
            catch (OperationCanceledException)
            {
                bar.Done();
                context.Error.WriteLine($"Stopped. Resume with: ser-train train --resume {id}" + (a.Get("data") is { } d ? $" --data {d}" : ""));
                return ExitCodes.Cancelled;
            }
        }
        if (runIds.Count >= 2)
        {
            var report = ComparisonBuilder.Build(runner.Store, runIds);
            var output = Path.Combine(DataPath(a.Get("data")), "reports", string.Join("-vs-", runIds));
            ComparisonWriter.Write(report, output);
            context.Output.WriteLine(ComparisonWriter.Markdown(report));
            context.Output.WriteLine($"Report written to {output}");
        }
        return ExitCodes.Success;
    }

    private static List<string> CreateRuns(CliArguments a, TrainingRunner runner)
    {
        var architecture = a.Required("architecture");
        var architectures = architecture == "both" ? ModelArchitectures.All.ToArray()
            : ModelArchitectures.All.Contains(architecture) ? [architecture]
            : throw new CliUsageException($"unknown architecture '{architecture}' (wav2vec2, resnet18 or both)");
        var datasetPath = Path.GetFullPath(a.Required("dataset-path"));
        var split = SplitCommand.Spec(a);
        var ids = new List<string>();
        foreach (var arch in architectures)
        {
            var preset = ModelPresets.Get(PresetName(a, arch, architectures.Length));
            var hyper = Hyper(a, preset);
            var errors = hyper.Validate();
            if (errors.Count > 0) throw new CliUsageException(string.Join("; ", errors.Select(e => $"{e.Key} {e.Value}")));
            var checkpoint = a.Get(arch == ModelArchitectures.Wav2Vec2 ? "wav2vec2-checkpoint" : "resnet18-checkpoint")
                ?? (architectures.Length == 1 ? a.Get("base-checkpoint") : null);
            var id = TrainingRunner.NewRunId();
            runner.Create(new RunSpec(id, "train", arch, preset.Name, a.Get("dataset") ?? Path.GetFileName(datasetPath),
                a.Get("dataset-kind") ?? "crema-d", datasetPath, split, hyper, checkpoint is null ? null : Path.GetFullPath(checkpoint),
                a.Get("name"), a.Get("device") ?? "cpu", DateTimeOffset.UtcNow));
            ids.Add(id);
        }
        return ids;
    }

    private static string PresetName(CliArguments a, string architecture, int count) =>
        (count == 1 ? a.Get("preset") : null) ?? a.Get(architecture + "-preset")
        ?? (a.Has("tiny") ? architecture + "-tiny" : architecture == ModelArchitectures.Wav2Vec2 ? "wav2vec2-base" : "resnet18");

    private static ResolvedHyperParameters Hyper(CliArguments a, ModelPreset preset)
    {
        var h = new HyperParameters
        {
            Epochs = a.Int("epochs"), BatchSize = a.Int("batch-size"), LearningRate = a.Double("learning-rate"),
            EncoderLearningRate = a.Double("encoder-learning-rate"), WeightDecay = a.Double("weight-decay"), WarmupFraction = a.Double("warmup"),
            GradientClip = a.Double("gradient-clip"), GradientAccumulation = a.Int("accumulation"), MaxSeconds = a.Double("max-seconds"),
            Patience = a.Int("patience"), CheckpointEverySteps = a.Int("checkpoint-every"), Optimizer = a.Get("optimizer"),
            SpecAugmentMasks = a.Int("spec-augment"), ClassBalancedLoss = a.Has("class-balanced") ? true : null,
            FreezeFeatureEncoder = a.Has("train-feature-encoder") ? false : null, FreezeBaseModel = a.Has("freeze-base") ? true : null,
            Seed = a.Long("training-seed") ?? 42,
        };
        return preset.Wav2Vec2 is null ? ResNetRecipe.Defaults(h, preset) : Wav2Vec2Recipe.Defaults(h, preset);
    }

    internal static string DataPath(string? data) => Path.GetFullPath(data ?? "data");

    internal static RunStore Store(string? data) => new(Path.Combine(DataPath(data), "runs"));

    internal static RunRegistry Registry(string? data) => new(Path.Combine(DataPath(data), "registry.db"));
}
