using System.Globalization;
using Ser.Core.Models;
using Ser.Core.Models.ResNet;
using Ser.Core.Models.Wav2Vec2;
using Ser.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Benchmarks;

/// <summary>Each model's forward time beside ONNX Runtime's on the same weights and input, in one run: Ser's exact fp32
/// and bf16 as multiples of ONNX Runtime fp32, and how far their outputs are from ONNX Runtime's. The weights and graphs
/// come from <c>benchmarks/export_onnx.py</c>; without them Ser runs on seeded random weights and the peer column is empty.</summary>
internal sealed class ModelComparison(string onnxFolder, int threads, int repeats, bool bf16, string? only = null, bool turns = false)
{
    public const string ExportHint =
        "ONNX Runtime column empty: export the peer models first (Debian: apt install python3-torch python3-torchaudio " +
        "python3-torchvision python3-onnx; then /usr/bin/python3 benchmarks/export_onnx.py).";

    public void Run()
    {
        var w2vFolder = Path.Combine(onnxFolder, "wav2vec2-base");
        var resnetWeights = Path.Combine(onnxFolder, "resnet18.safetensors");
        var exported = Directory.Exists(w2vFolder) && File.Exists(resnetWeights);
        if (!exported) Console.WriteLine(ExportHint);
        Console.WriteLine("| case | ONNX Runtime fp32 ms/clip | Ser fp32 ms/clip | × ORT (quartiles of turns) | Ser bf16 ms/clip | × ORT (quartiles of turns) | fp32 max Δp | bf16 max Δp |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");

        if (only is null or "wav2vec2")
        using (var peer = exported ? OnnxPeer.TryOpen(Path.Combine(onnxFolder, "wav2vec2-base.onnx"), threads) : null)
        using (var fp32 = LoadWav2Vec2(exported ? w2vFolder : null, ScalarType.Float32))
        using (var half = bf16 ? LoadWav2Vec2(exported ? w2vFolder : null, ScalarType.BFloat16) : null)
        {
            foreach (var (batch, samples) in new[] { (1, 48_000), (8, 48_000), (1, 480_000) })
                Compare($"wav2vec2-base, {samples / 16_000} s, batch {batch}", [batch, samples], peer,
                    x => fp32.forward(x, null), half is null ? null : x => half.forward(x, null));
        }

        var frames = ModelPresets.ResNet18.ResNet!.WindowFrames;
        if (only is null or "resnet18")
        using (var peer = exported ? OnnxPeer.TryOpen(Path.Combine(onnxFolder, "resnet18.onnx"), threads) : null)
        using (var resnet = LoadResNet(exported ? resnetWeights : null))
        using (var fp32 = new FusedResNet18(resnet))
        using (var half = bf16 ? new FusedResNet18(resnet, ScalarType.BFloat16) : null)
        {
            foreach (var batch in new[] { 1, 8 })
                Compare($"resnet18, 128 × {frames}, batch {batch}", [batch, 1, 128, frames], peer, fp32.Forward, half is null ? null : half.Forward);
        }
        foreach (var (form, second) in MeasuredChoice.Made)
            Console.WriteLine($"Measured choice: {form}: {(second ? $"second form ({SecondForm(form)})" : "first form")}");
    }

    // The contenders run in turns (ONNX Runtime, Ser fp32, Ser bf16; the next turn starts with Ser fp32, …) so a machine
    // that drifts during the run slows all of them alike; each × is the median of the per-turn ratios, with their
    // interquartile range in brackets (on a noisy VM a median of 1.03 may hide turns from 0.95 to 1.10).
    private void Compare(string name, long[] shape, OnnxPeer? peer, Func<Tensor, Tensor> fp32, Func<Tensor, Tensor>? bf16)
    {
        var batch = shape[0];
        var data = Inputs(shape);
        using var input = tensor(data).reshape(shape);
        using var inputBf16 = input.to(ScalarType.BFloat16);
        var reference = peer?.Run(data, shape);
        float[] Ser(Func<Tensor, Tensor> forward, Tensor x)
        {
            using var scope = NewDisposeScope();
            using var mode = inference_mode();
            return forward(x).to(ScalarType.Float32).data<float>().ToArray();
        }
        var serLogits = Ser(fp32, input);
        var halfLogits = bf16 is null ? null : Ser(bf16, inputBf16);
        var contenders = new List<(string Name, Action Run)>();
        if (peer is not null) contenders.Add(("ORT", () => peer.Run(data, shape)));
        contenders.Add(("fp32", () => Ser(fp32, input)));
        if (bf16 is not null) contenders.Add(("bf16", () => Ser(bf16, inputBf16)));
        var times = Timing.InTurns([.. contenders.Select(c => c.Run)], repeats);
        var (peerTimes, serTimes, halfTimes) = (peer is null ? null : times[0], times[peer is null ? 0 : 1], bf16 is null ? null : times[^1]);
        if (turns)
            for (var i = 0; i < repeats; i++)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  turn {i}: {string.Join(", ", contenders.Select((c, a) => $"{c.Name} {times[a][i]:0.00}"))} ms"));

        string Ms(double[]? t) => t is null ? "—" : (Timing.Median(t) / batch).ToString("0.0", CultureInfo.InvariantCulture);
        string Ratio(double[]? t)
        {
            if (t is null || peerTimes is null) return "—";
            var (low, median, high) = Timing.Quartiles(t.Select((v, i) => v / peerTimes[i]).ToArray());
            return string.Create(CultureInfo.InvariantCulture, $"{median:0.00} ({low:0.00}–{high:0.00})");
        }
        string Drift(float[]? logits) => reference is null || logits is null ? "—"
            : MaxProbabilityDifference(reference, logits, 6).ToString("0.0e0", CultureInfo.InvariantCulture);
        Console.WriteLine($"| {name} | {Ms(peerTimes)} | {Ms(serTimes)} | {Ratio(serTimes)} | {Ms(halfTimes)} | {Ratio(halfTimes)} | {Drift(serLogits)} | {Drift(halfLogits)} |");
    }

    // What each measured choice's second form is, by its key (WeightNormConv1d, Wav2Vec2FeatureEncoder, Wav2Vec2Attention,
    // LinearKernel), its thread count (MeasuredChoice.KeyAt) left off.
    private static string SecondForm(string made) => SecondFormOf(made.EndsWith(" threads]", StringComparison.Ordinal)
        ? made[..made.LastIndexOf(" [", StringComparison.Ordinal)] : made);

    private static string SecondFormOf(string key) =>
        key.EndsWith(" spectral", StringComparison.Ordinal) ? "by FFT"
        : key.Contains("positional conv", StringComparison.Ordinal) ? "2-D channels-last"
        : key.Contains("feature encoder", StringComparison.Ordinal) && key.EndsWith(" kernel", StringComparison.Ordinal) ? "Ser's kernel"
        : key.Contains("feature encoder", StringComparison.Ordinal) ? "time-major products"
        : key.StartsWith("linear kernel", StringComparison.Ordinal) ? "Ser's product block"
        : key.EndsWith(" Ser kernels", StringComparison.Ordinal) ? "Ser's convolutions"
        : key.Contains(" attention ", StringComparison.Ordinal) && key.Contains(" kernel ", StringComparison.Ordinal) ? "Ser's attention kernel"
        : key.Contains(" attention ", StringComparison.Ordinal) ? "explicit attention in blocks of queries" : "second";

    private static float[] Inputs(long[] shape)
    {
        var random = new Random(7);
        var data = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (var i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 2 - 1);
        return data;
    }

    /// <summary>Largest difference of softmax probabilities, row by row.</summary>
    private static double MaxProbabilityDifference(float[] a, float[] b, int classes)
    {
        var worst = 0.0;
        for (var row = 0; row < a.Length / classes; row++)
        {
            var pa = Softmax(a.AsSpan(row * classes, classes));
            var pb = Softmax(b.AsSpan(row * classes, classes));
            for (var c = 0; c < classes; c++) worst = Math.Max(worst, Math.Abs(pa[c] - pb[c]));
        }
        return worst;
    }

    private static double[] Softmax(ReadOnlySpan<float> logits)
    {
        var max = double.MinValue;
        foreach (var l in logits) max = Math.Max(max, l);
        var e = new double[logits.Length];
        for (var i = 0; i < e.Length; i++) e[i] = Math.Exp(logits[i] - max);
        var sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }

    private static Wav2Vec2ForSequenceClassification LoadWav2Vec2(string? folder, ScalarType dtype)
    {
        manual_seed(0);
        var model = folder is null ? new Wav2Vec2ForSequenceClassification(ModelPresets.Wav2Vec2Base.Wav2Vec2!) : Wav2Vec2Checkpoint.Load(folder);
        model.eval();
        if (dtype != ScalarType.Float32) model.to(dtype);
        model.PrepareForInference(); // as the service's classifier does, after the cast (what it prepares is per dtype)
        return model;
    }

    private static ResNet18 LoadResNet(string? weights)
    {
        manual_seed(0);
        var spec = ModelPresets.ResNet18.ResNet!;
        var model = new ResNet18(6, spec.InChannels, spec.BaseWidth);
        if (weights is not null) ResNetCheckpoint.LoadInto(model, weights);
        model.eval();
        return model;
    }
}
