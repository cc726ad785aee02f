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
/// faster than fp32 on the CPU) bf16 mixed precision, and the time one epoch over CREMA-D's 7,442 clips would take at that speed.</summary>
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
            Console.WriteLine("| preset | precision | batch | clips/s (training step) | × fp32 | projected epoch over 7,442 clips |");
            Console.WriteLine("|---|---|---|---|---|---|");
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
                    var progress = new CallbackProgress<TrainingProgress>(p =>
                    {
                        if (p.Phase != "step") return;
                        if (p.Step == 1) timer.Restart(); // the first step warms up allocator and kernels
                        else counted += hyper.BatchSize;
                    });
                    using var cancel = new CancellationTokenSource();
                    var trainer = new Trainer(model, hyper with { CheckpointEverySteps = 1_000_000 }, used, used.Take(1).ToArray(),
                        Path.Combine(root, $"ckpt-{name}-{precision}"));
                    await trainer.RunAsync(progress, cancel.Token).ConfigureAwait(false);
                    var rate = counted / timer.Elapsed.TotalSeconds;
                    if (precision == TrainingPrecision.Float32) fp32Rate = rate;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {name} | {precision} | {hyper.BatchSize} | {rate:0.0} | {rate / fp32Rate:0.00} | {TimeSpan.FromSeconds(CremaDClips / rate):h\\:mm\\:ss} |"));
                }
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
