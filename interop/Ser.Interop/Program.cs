using Ser.Core.Audio;
using Ser.Core.Data;
using Ser.Core.Features;
using Ser.Core.Models;
using Ser.Core.Models.Checkpoints;
using Ser.Core.Models.ResNet;
using Ser.Core.Models.Wav2Vec2;
using Ser.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

// Writes models as Ser saves them, and Ser's logits for fixed inputs, for interop/check_transformers.py; with --compare,
// loads the folders that script's --write-hf saved with transformers and compares Ser's logits with theirs.
// Usage: dotnet run -c Release --project interop/Ser.Interop -- OUT_FOLDER
//        dotnet run -c Release --project interop/Ser.Interop -- --compare HF_FOLDER OUT_FOLDER
if (args is not [_] and not ["--compare", _, _])
{
    Console.Error.WriteLine("usage: Ser.Interop OUT_FOLDER | --compare HF_FOLDER OUT_FOLDER");
    return 2;
}
TorchRuntime.Initialize();
if (args[0] == "--compare") return Compare(Path.GetFullPath(args[1]), Path.GetFullPath(args[2]));
var root = Path.GetFullPath(args[0]);
Directory.CreateDirectory(root);
manual_seed(2026);
var outputs = new Dictionary<string, Tensor>();

// Small configs with heads of 64, so Ser's attention kernel is among the paths that serve them.
var small = ModelPresets.Wav2Vec2Base.Wav2Vec2! with
{
    ConvDim = [128, 128, 128, 128, 128, 128, 128], HiddenSize = 256, NumHiddenLayers = 2, NumAttentionHeads = 4,
    IntermediateSize = 512, ClassifierProjSize = 64, Labels = EmotionLabels.All,
};
var baseLayout = small with { UseWeightedLayerSum = true };
var stableLayout = small with { FeatExtractNorm = "layer", DoStableLayerNorm = true, ConvBias = true };

// Base layout takes no attention mask: clips of one length. Stable layout: padded clips with their lengths.
Wav2Vec2Case("wav2vec2-base-layout", baseLayout, [24_000, 24_000]);
Wav2Vec2Case("wav2vec2-stable-layout", stableLayout, [24_000, 17_000, 9_000]);
ResNetCase("resnet18");

SafeTensorsFile.Write(Path.Combine(root, "ser-outputs.safetensors"), outputs, new Dictionary<string, string> { ["format"] = "pt" });
Console.WriteLine($"wrote {string.Join(", ", Directory.GetFileSystemEntries(root).Select(Path.GetFileName))} to {root}");
return 0;

// Ser's logits from each folder transformers saved, on the inputs of OUT_FOLDER, against transformers' own.
static int Compare(string hfFolder, string serFolder)
{
    var inputs = SafeTensorsFile.Read(Path.Combine(serFolder, "ser-outputs.safetensors"));
    var expected = SafeTensorsFile.Read(Path.Combine(hfFolder, "hf-outputs.safetensors"));
    var failed = 0;
    foreach (var name in new[] { "wav2vec2-base-layout", "wav2vec2-stable-layout" })
    {
        using var model = Wav2Vec2Checkpoint.Load(Path.Combine(hfFolder, name));
        model.eval();
        model.PrepareForInference();
        using var mode = inference_mode();
        var lengths = model.Config.FeatExtractNorm == "layer" ? inputs[$"{name}.sample_lengths"] : null;
        using var logits = model.forward(inputs[$"{name}.input_values"], lengths);
        var want = expected[$"{name}.logits"];
        var diff = (logits - want).abs().max().item<float>();
        var ok = diff <= 1e-4;
        failed += ok ? 0 : 1;
        Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {name} saved by transformers, loaded by Ser: max abs diff {diff:0.00e+00} (tolerance 1e-04, " +
            $"logits up to {want.abs().max().item<float>():0.00})");
    }
    Console.WriteLine($"{failed} failed");
    return failed == 0 ? 0 : 1;
}

void Wav2Vec2Case(string name, Wav2Vec2Config config, long[] lengths)
{
    var folder = Path.Combine(root, name);
    using (var model = new Wav2Vec2ForSequenceClassification(config))
    {
        Perturb(model);
        // HF's head init (std 0.02) gives logits near 0.05; scaled up, they are of order one and 1e-4 a tight bound.
        using (no_grad()) model.get_parameter("classifier.weight")!.mul_(Scalars.Of(30));
        Wav2Vec2Checkpoint.Save(model, folder);
    }
    // Logits from the saved folder, on the path a served CPU model takes.
    using var loaded = Wav2Vec2Checkpoint.Load(folder);
    loaded.eval();
    loaded.PrepareForInference();
    var (raw, inputs) = Clips(lengths);
    var sampleLengths = tensor(lengths);
    using (inference_mode())
    {
        using var logits = loaded.forward(inputs, config.FeatExtractNorm == "layer" ? sampleLengths : null);
        outputs[$"{name}.logits"] = logits.clone();
    }
    outputs[$"{name}.raw"] = raw;
    outputs[$"{name}.input_values"] = inputs;
    outputs[$"{name}.sample_lengths"] = sampleLengths;
}

void ResNetCase(string name)
{
    var spec = ModelPresets.ResNet18.ResNet!;
    var folder = Path.Combine(root, name);
    using (var model = new ResNet18(EmotionLabels.Count, spec.InChannels, spec.BaseWidth))
    {
        Perturb(model);
        ResNetModelFolder.Save(model, new ResNetModelFolder.Description(ModelPresets.ResNet18.Name, spec.BaseWidth, spec.InChannels,
            spec.FrontEnd, spec.WindowSeconds, EmotionLabels.All), folder);
    }
    var (loaded, _) = ResNetModelFolder.Load(folder);
    loaded.eval();
    using (loaded)
    using (var fused = new FusedResNet18(loaded))
    {
        var input = randn(4, spec.InChannels, spec.FrontEnd.NMels, 301);
        using (inference_mode())
        {
            using var logits = fused.Forward(input);
            outputs[$"{name}.logits"] = logits.clone();
        }
        outputs[$"{name}.input"] = input;
    }
}

// Raw clips, and the model's input as Ser makes it (Wav2Vec2InputNormalizer per clip), both zero past each length.
static (Tensor Raw, Tensor Inputs) Clips(long[] lengths)
{
    var raw = zeros(lengths.Length, lengths.Max());
    var inputs = zeros(lengths.Length, lengths.Max());
    for (var i = 0; i < lengths.Length; i++)
    {
        using var scope = NewDisposeScope();
        var t = arange(lengths[i], dtype: ScalarType.Float32) / AudioOptions.ModelSampleRate;
        var clip = 0.3 * (t * (2 * Math.PI * (140 + 40 * i))).sin() + 0.1 * (t * (2 * Math.PI * 1_300)).sin() + 0.05 * randn(lengths[i]) + 0.01;
        var samples = clip.data<float>().ToArray();
        raw[i, TensorIndex.Slice(0, lengths[i])] = clip;
        inputs[i, TensorIndex.Slice(0, lengths[i])] = tensor(Wav2Vec2InputNormalizer.Normalize(samples));
    }
    return (raw, inputs);
}

// Away from the initial values (norm gains of 1, g = ‖v‖, zero means), so a loader that skipped or misplaced any of them
// would change the logits. Values are ones a bfloat16 holds, so the folders compress to about half for carrying.
static void Perturb(nn.Module model)
{
    using var scope = NewDisposeScope();
    using var _ = no_grad();
    static Tensor InBf16(Tensor t) => t.to(ScalarType.BFloat16).to(ScalarType.Float32);
    foreach (var (name, p) in model.named_parameters())
    {
        // Weights move by a tenth of their spread, so activations stay in range; gains and biases by 0.05.
        var noisy = name.EndsWith("weight_g", StringComparison.Ordinal) ? p * (rand_like(p) + 0.5)
            : p.dim() > 1 ? p + 0.1 * p.std() * randn_like(p) : p + 0.05 * randn_like(p);
        p.copy_(InBf16(noisy));
    }
    foreach (var (name, b) in model.named_buffers())
    {
        if (name.EndsWith("running_mean", StringComparison.Ordinal)) b.copy_(InBf16(0.1 * randn_like(b)));
        if (name.EndsWith("running_var", StringComparison.Ordinal)) b.copy_(InBf16(rand_like(b) + 0.5));
    }
}
