using Microsoft.Extensions.DependencyInjection;
using Ser.Core.Data;
using Ser.Core.Models;
using Ser.Core.Runtime;
using Ser.Training.BaseCheckpoints;
using Ser.Training.Reports;
using Ser.Training.Runs;

namespace Ser.Training.Cli.Commands;

public sealed class TrainCommand : ICliCommand
{
    private static readonly string[] Options =
    [
        "architecture", "preset", "wav2vec2-preset", "resnet18-preset", "dataset-path", "dataset-kind", "dataset", "data", "strategy", "seed",
        "validation", "test", "folds", "fold", "epochs", "batch-size", "learning-rate", "encoder-learning-rate", "weight-decay", "warmup",
        "gradient-clip", "accumulation", "max-seconds", "patience", "checkpoint-every", "optimizer", "spec-augment", "training-seed", "precision",
        "base-checkpoint", "wav2vec2-checkpoint", "resnet18-checkpoint", "resume", "threads", "device", "name",
    ];

    public string Name => "train";

    public string Summary => "train (and test) wav2vec2, resnet18 or both on a split; resumable";

    public string Usage => $"""
        ser-train train --architecture wav2vec2|resnet18|both --dataset-path DIR [options]
        ser-train train --resume RUN [--data DIR]

        Data:   --dataset-kind crema-d|csv|synthetic (crema-d)  --dataset NAME  --data DIR (runs, registry, models/: ./data)
        Split:  --strategy actor|actor-kfold|random|standard (actor; random for *-seed presets)  --seed 42  --validation 0.15
                --test 0.15  --folds 5  --fold 0   (one fold here; POST /jobs/train without a fold trains every fold as its own job)
        Model:  --preset P | --wav2vec2-preset P --resnet18-preset P | --tiny   (wav2vec2-base, resnet18; *-tiny on synthetic data)
                --base-checkpoint NAME|PATH|none | --wav2vec2-checkpoint --resnet18-checkpoint   (HF folder / torchvision weights)
        Train:  --epochs --batch-size --learning-rate --encoder-learning-rate --weight-decay --warmup --gradient-clip
                --accumulation --max-seconds --patience --checkpoint-every --optimizer adamw|sgd --spec-augment N
                --class-balanced --train-feature-encoder --freeze-base --training-seed S --threads N
                --precision float32|bfloat16 (float32; bfloat16: mixed precision, fp32 where bf16 is not faster on this CPU)
                --device auto|cpu|cuda (auto, as the service: CUDA when present)

        Base checkpoints by default (a NAME is a folder under DIR/models; 'none' trains from random weights):
        {DefaultBaseCheckpoints()}

        Each architecture becomes a run under DIR/runs/{"{id}"}; both runs share one split and are compared at the end.
        Ctrl-C stops at the next step with a checkpoint (exit 130); --resume RUN continues it.
        """;

    public async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var a = new CliArguments(args, Options, ["class-balanced", "train-feature-encoder", "freeze-base", "tiny"]);
        if (a.Int("threads") is { } threads) TorchRuntime.SetThreads(threads);
        var logger = context.Logging.CreateLogger("ser-train");
        TorchRuntime.Initialize(logger);
        using var services = new ServiceCollection().AddHuggingFaceHubClient().BuildServiceProvider();
        var runner = new TrainingRunner(Store(a.Get("data")), Registry(a.Get("data")), logger,
            new BaseCheckpointCatalog(HubHttp.CreateHub(services), context.Logging.CreateLogger("BaseCheckpoints")));
        var runIds = a.Get("resume") is { } resume ? [resume] : CreateRuns(a, runner);
        var bar = new ProgressBar(context.Error);
        var current = runIds[0];
        try
        {
            var report = await RunSequence.TrainAllAsync(runner.Store, runner.Registry, DataPath(a.Get("data")), runIds, async (id, ct) =>
            {
                current = id;
                var spec = runner.Store.ReadSpec(id);
                context.Error.WriteLine($"Run {id}: {spec.Architecture}/{spec.Preset}");
                var summary = await runner.TrainAsync(id, bar, ct).ConfigureAwait(false);
                bar.Done();
                context.Output.WriteLine($"{id} {summary.Architecture}/{summary.Preset}: test WA {summary.Wa:0.000}, UA {summary.Ua:0.000}, macro-F1 {summary.MacroF1:0.000} ({summary.SplitStrategy} split)");
            }, cancellationToken).ConfigureAwait(false);
            if (report is not null)
            {
                context.Output.WriteLine(ComparisonWriter.Markdown(report));
                context.Output.WriteLine($"Report written to {RunSequence.ReportFolder(DataPath(a.Get("data")), runIds)}");
            }
        }
        catch (OperationCanceledException)
        {
            bar.Done();
            context.Error.WriteLine($"Stopped. Resume with: ser-train train --resume {current}" + (a.Get("data") is { } d ? $" --data {d}" : ""));
            return ExitCodes.Cancelled;
        }
        return ExitCodes.Success;
    }

    /// <summary>The CLI's arguments in the planner's terms (the API maps its JSON body the same way).</summary>
    internal static TrainingRequest ToTrainingRequest(CliArguments a)
    {
        ArgumentNullException.ThrowIfNull(a);
        var datasetPath = Path.GetFullPath(a.Required("dataset-path"));
        return new TrainingRequest
        {
            Architecture = a.Required("architecture"), Preset = a.Get("preset"),
            Presets = PerArchitecture(a, "-preset", a.Has("tiny") ? arch => arch + "-tiny" : null),
            Dataset = new TrainingDataset
            {
                Name = a.Get("dataset") ?? Path.GetFileName(datasetPath), Kind = a.Get("dataset-kind") ?? DatasetKinds.CremaD, Path = datasetPath,
            },
            Split = new TrainingSplit
            {
                Strategy = a.Get("strategy"), Seed = a.Long("seed"), Validation = a.Double("validation"), Test = a.Double("test"),
                Folds = a.Int("folds"), Fold = a.Int("fold"),
            },
            HyperParameters = new HyperParameters
            {
                Epochs = a.Int("epochs"), BatchSize = a.Int("batch-size"), LearningRate = a.Double("learning-rate"),
                EncoderLearningRate = a.Double("encoder-learning-rate"), WeightDecay = a.Double("weight-decay"), WarmupFraction = a.Double("warmup"),
                GradientClip = a.Double("gradient-clip"), GradientAccumulation = a.Int("accumulation"), MaxSeconds = a.Double("max-seconds"),
                Patience = a.Int("patience"), CheckpointEverySteps = a.Int("checkpoint-every"), Optimizer = a.Get("optimizer"),
                SpecAugmentMasks = a.Int("spec-augment"), ClassBalancedLoss = a.Has("class-balanced") ? true : null,
                FreezeFeatureEncoder = a.Has("train-feature-encoder") ? false : null, FreezeBaseModel = a.Has("freeze-base") ? true : null,
                Seed = a.Long("training-seed") ?? 42, Precision = a.Get("precision"),
            },
            BaseCheckpoint = a.Get("base-checkpoint"), BaseCheckpoints = PerArchitecture(a, "-checkpoint", null),
            Name = a.Get("name"), Device = a.Get("device"),
        };
    }

    private static List<string> CreateRuns(CliArguments a, TrainingRunner runner)
    {
        var planner = new RunPlanner { ModelsFolder = Path.Combine(DataPath(a.Get("data")), "models"), AllowBaseCheckpointPaths = true };
        var plan = planner.Plan(ToTrainingRequest(a));
        if (!plan.IsValid)
            throw new CliUsageException(string.Join("; ", plan.Errors.SelectMany(e => e.Value.Select(m => $"{e.Key} {m}"))));
        foreach (var run in plan.Runs) runner.Create(run);
        return [.. plan.Runs.Select(r => r.RunId)];
    }

    // --wav2vec2-preset / --resnet18-checkpoint …, with a fallback (--tiny) for architectures not named.
    private static Dictionary<string, string>? PerArchitecture(CliArguments a, string suffix, Func<string, string>? fallback)
    {
        var values = ModelArchitectures.All.Select(arch => (arch, value: a.Get(arch + suffix) ?? fallback?.Invoke(arch)))
            .Where(p => p.value is not null).ToDictionary(p => p.arch, p => p.value!, StringComparer.Ordinal);
        return values.Count == 0 ? null : values;
    }

    // Derived from the presets and the catalog, so the help cannot drift from what the planner does.
    private static string DefaultBaseCheckpoints() => string.Join(Environment.NewLine, ModelPresets.All.Select(p =>
        BaseCheckpointCatalog.Find(p.BaseName) is { } source
            ? $"  {p.Name,-18} DIR/models/{source.Name} ({source.RepoId}, downloaded when absent)"
            : $"  {p.Name,-18} random weights"));

    internal static string DataPath(string? data) => Path.GetFullPath(data ?? "data");

    internal static RunStore Store(string? data) => new(Path.Combine(DataPath(data), "runs"));

    internal static RunRegistry Registry(string? data) => new(Path.Combine(DataPath(data), "registry.db"));
}
