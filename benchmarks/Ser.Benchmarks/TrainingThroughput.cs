using System.Diagnostics;
using System.Globalization;
using Ser.Core.Data.CremaD;
using Ser.Core.Data.Synthetic;
using Ser.Core.Models;
using Ser.Core.Runtime;
using Ser.Training.Loops;
using Ser.Training.Recipes;
using Ser.Training.Runs;

namespace Ser.Benchmarks;

/// <summary>Training speed of the full presets on synthetic clips (1.3–5 s, like CREMA-D's), in fp32 and (where bf16 is
/// faster than fp32 on the CPU) bf16 mixed precision, the time one epoch over CREMA-D's 7,442 clips would take at that speed,
/// and the fixed cost at each epoch's end (the checkpoint).</summary>
internal static class TrainingThroughput
{
    private const int CremaDClips = 7_442;

    public static async Task RunAsync(int steps)
    {
        var root = Directory.CreateTempSubdirectory("ser-bench-").FullName;
        try
        {
            SyntheticCorpusGenerator.Generate(root, new SyntheticCorpusOptions { Actors = 4, Sentences = 4, Seed = 1 });
            var clips = CremaDCorpus.Load("synthetic", root).Clips;
            // bf16 only where the trainer would train in it (elsewhere it runs fp32 anyway).
            string[] precisions = TrainingPrecision.Effective(TrainingPrecision.BFloat16, TorchSharp.torch.CPU, CpuInfo.Current).Reason is null
                ? [TrainingPrecision.Float32, TrainingPrecision.BFloat16] : [TrainingPrecision.Float32];
            Console.WriteLine("| preset | precision | batch | clips/s (training step) | × fp32 | projected epoch over 7,442 clips | epoch's end (checkpoint) |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            foreach (var name in new[] { "resnet18", "wav2vec2-base" })
            {
                var fp32Rate = 0.0;
                foreach (var precision in precisions)
                {
                    var preset = ModelPresets.Get(name);
                    var hyper = preset.Wav2Vec2 is null
                        ? ResNetRecipe.Defaults(new HyperParameters { Epochs = 1, BatchSize = 32, Patience = 0, Precision = precision }, preset)
                        : Wav2Vec2Recipe.Defaults(new HyperParameters { Epochs = 1, BatchSize = 8, Patience = 0, Precision = precision }, preset);
                    var spec = new RunSpec("bench", "train", preset.Architecture, name, "synthetic", "synthetic", root, new SplitSpec(), hyper, null, null,
                        "cpu", DateTimeOffset.UtcNow);
                    using var model = TrainingRunner.CreateModel(spec);
                    var used = clips.Take(hyper.BatchSize * (steps + 1)).ToArray();
                    var timer = new Stopwatch();
                    var counted = 0;
                    var stepsTime = TimeSpan.Zero;
                    var epochEnd = TimeSpan.Zero;
                    var progress = new CallbackProgress<TrainingProgress>(p =>
                    {
                        if (p.Phase == TrainingProgress.EpochPhase) epochEnd = timer.Elapsed - stepsTime;
                        if (p.Phase != TrainingProgress.StepPhase) return;
                        if (p.Step == 1) timer.Restart(); // the first step warms up allocator and kernels
                        else (counted, stepsTime) = (counted + hyper.BatchSize, timer.Elapsed);
                    });
                    using var cancel = new CancellationTokenSource();
                    var trainer = new Trainer(model, hyper with { CheckpointEverySteps = 1_000_000 }, used, used.Take(1).ToArray(),
                        Path.Combine(root, $"ckpt-{name}-{precision}"));
                    await trainer.RunAsync(progress, cancel.Token).ConfigureAwait(false);
                    // Up to the last step's report: the epoch's end (validation, here of one clip, and the checkpoint of weights
                    // and optimizer state) is a fixed cost per epoch, shown apart; in the rate it counted as a few steps' time.
                    var rate = counted / stepsTime.TotalSeconds;
                    if (precision == TrainingPrecision.Float32) fp32Rate = rate;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {name} | {precision} | {hyper.BatchSize} | {rate:0.0} | {rate / fp32Rate:0.00} | {TimeSpan.FromSeconds(CremaDClips / rate):h\\:mm\\:ss} | {epochEnd.TotalSeconds:0.0} s |"));
                }
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
