using Ser.Core.Data;
using Ser.Core.Models;
using Ser.Training.Runs;

namespace Ser.Training.Tests.Runs;

/// <summary>The one place a training request becomes run specs, for the API and the CLI alike.</summary>
public sealed class RunPlannerTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-planner-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string Models => Path.Combine(_temp, "models");

    private RunPlanner Planner(bool paths = false) => new() { ModelsFolder = Models, AllowBaseCheckpointPaths = paths };

    private TrainingRequest Request(string architecture, string kind = DatasetKinds.CremaD) => new()
    {
        Architecture = architecture,
        Dataset = new TrainingDataset { Name = "corpus", Kind = kind, Path = Path.Combine(_temp, "corpus") },
    };

    [Fact]
    public void Every_invalid_field_is_listed_at_once_and_no_run_is_planned()
    {
        var plan = Planner().Plan(new TrainingRequest
        {
            Architecture = "resnet18", Name = new string('n', RunPlanner.MaxNameLength + 1), BaseCheckpoint = "../elsewhere",
            Split = new TrainingSplit { Strategy = "speaker", Folds = 1, Fold = 3, Validation = 0.9, Test = -0.1 },
            HyperParameters = new HyperParameters { Epochs = 0, BatchSize = 100_000, LearningRate = -1, Optimizer = "lion", Precision = "float16" },
        });

        Assert.Empty(plan.Runs);
        Assert.Equal(
            ["baseCheckpoint", "dataset", "hyperParameters.batchSize", "hyperParameters.epochs", "hyperParameters.learningRate",
             "hyperParameters.optimizer", "hyperParameters.precision", "name", "split.fold", "split.folds", "split.strategy", "split.test", "split.validation"],
            plan.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("must be a folder name under the models folder, not a path", Assert.Single(plan.Errors["baseCheckpoint"]));
        Assert.Equal("must be adamw or sgd", Assert.Single(plan.Errors["hyperParameters.optimizer"]));
        Assert.Equal("must be float32 or bfloat16", Assert.Single(plan.Errors["hyperParameters.precision"]));
        Assert.Equal("must be actor, actor-kfold, random or standard", Assert.Single(plan.Errors["split.strategy"]));

        var wrong = Planner().Plan(Request("lstm") with { Dataset = null, BaseCheckpoint = "/root/.ssh" });
        Assert.Equal(["architecture", "baseCheckpoint", "dataset"], wrong.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("'lstm' is not wav2vec2, resnet18 or both", Assert.Single(wrong.Errors["architecture"]));
        Assert.Contains("is not a resnet18 preset", Assert.Single(Planner().Plan(Request("resnet18") with { Preset = "wav2vec2-tiny" }).Errors["preset"]),
            StringComparison.Ordinal);
    }

    [Fact]
    public void The_standard_split_is_a_strategy_a_request_can_name()
    {
        var plan = Planner().Plan(Request("both") with { Split = new TrainingSplit { Strategy = "standard" } });

        Assert.True(plan.IsValid);
        Assert.All(plan.Runs, r => Assert.Equal(Ser.Core.Data.Splits.SplitStrategy.Standard, r.Split.Strategy));
    }

    [Theory]
    [InlineData(DatasetKinds.Synthetic, "wav2vec2-tiny", "resnet18-tiny")]
    [InlineData(DatasetKinds.CremaD, "wav2vec2-base", "resnet18")]
    [InlineData(DatasetKinds.Csv, "wav2vec2-base", "resnet18")]
    public void Each_dataset_kind_gets_its_default_presets_recipe_defaults_and_one_shared_split(string kind, string wav2vec2, string resnet18)
    {
        var plan = Planner().Plan(Request("both", kind));

        Assert.True(plan.IsValid);
        Assert.Equal([(ModelArchitectures.Wav2Vec2, wav2vec2), (ModelArchitectures.ResNet18, resnet18)], plan.Runs.Select(r => (r.Architecture, r.Preset)));
        Assert.Equal((10, 8, "adamw"), (plan.Runs[0].Hyper.Epochs, plan.Runs[0].Hyper.BatchSize, plan.Runs[0].Hyper.Optimizer));
        Assert.Equal((15, 32, 2), (plan.Runs[1].Hyper.Epochs, plan.Runs[1].Hyper.BatchSize, plan.Runs[1].Hyper.SpecAugmentMasks));
        Assert.Single(plan.Runs.Select(r => r.Split).Distinct());
        Assert.All(plan.Runs, r => Assert.Equal(("corpus", kind, Path.Combine(_temp, "corpus"), TorchDevices.Auto), (r.Dataset, r.DatasetKind, r.DatasetPath, r.Device)));
    }

    [Fact]
    public void A_full_preset_starts_from_its_catalog_checkpoint_a_tiny_one_from_random_weights_and_none_says_random_explicitly()
    {
        Assert.Equal([Path.Combine(Models, "wav2vec2-base"), Path.Combine(Models, "resnet18")],
            Planner().Plan(Request("both")).Runs.Select(r => r.BaseCheckpoint));
        Assert.Null(Planner().Plan(Request("resnet18") with { Preset = "resnet18-tiny" }).Runs.Single().BaseCheckpoint);

        var none = Planner().Plan(Request("wav2vec2") with { BaseCheckpoint = RunPlanner.NoBaseCheckpoint }).Runs.Single();
        Assert.Equal(("wav2vec2-base", null), (none.Preset, none.BaseCheckpoint));
        var each = Planner().Plan(Request("both") with { BaseCheckpoints = new Dictionary<string, string> { ["resnet18"] = "none" } }).Runs;
        Assert.Equal([Path.Combine(Models, "wav2vec2-base"), null], each.Select(r => r.BaseCheckpoint));
    }

    [Fact]
    public void The_seed_presets_rerun_the_reference_studys_recipe_split_and_pretrained_start()
    {
        var both = Planner().Plan(Request("both") with
        {
            Presets = new Dictionary<string, string> { ["wav2vec2"] = "wav2vec2-base-seed", ["resnet18"] = "resnet18-seed" },
        });

        Assert.True(both.IsValid);
        var (wav2vec2, resnet18) = (both.Runs[0], both.Runs[1]);
        Assert.All(both.Runs, r => Assert.Equal(new SplitSpec(Ser.Core.Data.Splits.SplitStrategy.Random, 42, 0.08, 0.2), r.Split));
        Assert.Equal((8, 16, 1.2565e-5, 1.2565e-5, 0.04, 0.0, false),
            (wav2vec2.Hyper.Epochs, wav2vec2.Hyper.BatchSize, wav2vec2.Hyper.LearningRate, wav2vec2.Hyper.EncoderLearningRate, wav2vec2.Hyper.WeightDecay,
             wav2vec2.Hyper.WarmupFraction, wav2vec2.Hyper.FreezeFeatureEncoder));
        Assert.Equal((10, 128, 1e-4, 1e-5, 0, 0.0), (resnet18.Hyper.Epochs, resnet18.Hyper.BatchSize, resnet18.Hyper.LearningRate,
            resnet18.Hyper.WeightDecay, resnet18.Hyper.SpecAugmentMasks, resnet18.Hyper.GradientClip));
        Assert.Equal([Path.Combine(Models, "wav2vec2-base"), Path.Combine(Models, "resnet18")], both.Runs.Select(r => r.BaseCheckpoint));
        Assert.Equal(256, ModelPresets.ResNet18Seed.ResNet!.WindowFrames);

        // Beside a default preset, or with a strategy of its own, the request's split wins.
        var mixed = Planner().Plan(Request("both") with { Presets = new Dictionary<string, string> { ["resnet18"] = "resnet18-seed" } });
        Assert.All(mixed.Runs, r => Assert.Equal(Ser.Core.Data.Splits.SplitStrategy.Actor, r.Split.Strategy));
        var actor = Planner().Plan(Request("resnet18") with { Preset = "resnet18-seed", Split = new TrainingSplit { Strategy = "actor" } });
        Assert.Equal((Ser.Core.Data.Splits.SplitStrategy.Actor, 0.15), (actor.Runs[0].Split.Strategy, actor.Runs[0].Split.Test));
        var reseeded = Planner().Plan(Request("resnet18") with { Preset = "resnet18-seed", Split = new TrainingSplit { Seed = 7 } });
        Assert.Equal(new SplitSpec(Ser.Core.Data.Splits.SplitStrategy.Random, 7, 0.08, 0.2), reseeded.Runs[0].Split);
    }

    [Fact]
    public void Named_checkpoints_resolve_under_the_models_folder_and_paths_only_where_the_planner_allows_them()
    {
        Directory.CreateDirectory(Path.Combine(Models, "mine"));
        File.WriteAllText(Path.Combine(Models, "mine", "model.safetensors"), "");
        var file = Path.Combine(_temp, "weights.pth");
        File.WriteAllText(file, "");

        Assert.Equal(Path.Combine(Models, "mine"), Planner().Plan(Request("wav2vec2") with { BaseCheckpoint = "mine" }).Runs.Single().BaseCheckpoint);
        Assert.Equal(file, Planner(paths: true).Plan(Request("resnet18") with { BaseCheckpoint = file }).Runs.Single().BaseCheckpoint);
        Assert.Contains("not a path", Planner().Plan(Request("resnet18") with { BaseCheckpoint = file }).Errors["baseCheckpoint"][0], StringComparison.Ordinal);
        Assert.Contains("does not exist", Planner(paths: true).Plan(Request("resnet18") with { BaseCheckpoint = file + ".x" }).Errors["baseCheckpoint"][0],
            StringComparison.Ordinal);
        Assert.Equal("'resnet18' is a resnet18 checkpoint", Planner().Plan(Request("wav2vec2") with { BaseCheckpoint = "resnet18" }).Errors["baseCheckpoint"][0]);
        Assert.Equal("applies to a single architecture", Planner().Plan(Request("both") with { BaseCheckpoint = "mine" }).Errors["baseCheckpoint"][0]);
    }
}
