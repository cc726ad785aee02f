using Ser.Core.Models.Checkpoints;
using static TorchSharp.torch;

namespace Ser.Core.Models.ResNet;

/// <summary>Loads torchvision resnet18 state dicts (<c>.pth</c>/<c>.bin</c>/<c>.safetensors</c>, F16 or F32, or a folder
/// holding <c>model.safetensors</c> or <c>pytorch_model.bin</c>, as on the Hugging Face hub) into <see cref="ResNet18"/>
/// and saves its own.</summary>
public static class ResNetCheckpoint
{
    /// <summary>The weight files a folder is searched for, in order.</summary>
    public static readonly IReadOnlyList<string> FolderWeightFiles = ["model.safetensors", "pytorch_model.bin"];

    /// <summary>Copies the weights at <paramref name="path"/> (a file or a folder) into <paramref name="model"/>. RGB conv1 kernels are
    /// summed for a 1-channel model; an <c>fc</c> of another size (e.g. ImageNet's 1,000 classes) is left at its init.</summary>
    /// <returns>Keys left at their initial values (the new head, if any).</returns>
    /// <exception cref="CheckpointException">The file cannot be read or its weights do not fit.</exception>
    public static IReadOnlyList<string> LoadInto(ResNet18 model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        var weights = StateDictFile.Read(WeightsPath(path));
        var replaced = new List<Tensor>();
        try
        {
            if (weights.TryGetValue("conv1.weight", out var conv1) && conv1.dim() == 4 && conv1.shape[1] == 3 && model.InChannels == 1)
            {
                replaced.Add(conv1);
                using var rgb = conv1.to_type(ScalarType.Float32);
                weights["conv1.weight"] = rgb.sum(dim: 1, keepdim: true);
            }
            var freshHead = weights.TryGetValue("fc.weight", out var fc) && fc.dim() == 2 && fc.shape[0] != model.NumClasses;
            if (freshHead)
            {
                weights.Remove("fc.weight");
                weights.Remove("fc.bias");
            }
            return StateDictLoader.Load(model, weights, key => freshHead && key.StartsWith("fc.", StringComparison.Ordinal), $"'{path}'");
        }
        finally
        {
            foreach (var t in weights.Values.Concat(replaced)) t.Dispose();
        }
    }

    /// <summary>The weights file <paramref name="path"/> stands for: itself, or the first of
    /// <see cref="FolderWeightFiles"/> in it when it is a folder.</summary>
    /// <exception cref="CheckpointException">A folder without any of those files.</exception>
    public static string WeightsPath(string path)
    {
        if (!Directory.Exists(path)) return path;
        return FolderWeightFiles.Select(f => Path.Combine(path, f)).FirstOrDefault(File.Exists)
            ?? throw new CheckpointException($"No weights in '{path}': expected {string.Join(" or ", FolderWeightFiles)}.");
    }

    /// <summary>Writes the state dict (torchvision names) as safetensors, atomically.</summary>
    public static void Save(ResNet18 model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        SafeTensorsFile.Write(path, model.state_dict(), new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["source"] = $"Ser ResNet18(num_classes={model.NumClasses}, in_channels={model.InChannels}, base_width={model.BaseWidth})",
        });
    }
}
