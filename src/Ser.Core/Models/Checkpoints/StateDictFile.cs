using System.Collections;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Ser.Core.Models.Checkpoints;

/// <summary>Reads a PyTorch state dict from <c>.safetensors</c> or a pickled <c>.bin</c>/<c>.pth</c>/<c>.pt</c> file.</summary>
public static class StateDictFile
{
    public static Dictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path)) throw new CheckpointException($"Checkpoint file '{path}' does not exist.");
        if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)) return SafeTensorsFile.Read(path);
        try
        {
            var table = PyTorchUnpickler.UnpickleStateDict(path);
            var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (DictionaryEntry entry in table)
                if (entry.Key is string name && entry.Value is Tensor tensor) result[name] = tensor;
            return result;
        }
        catch (Exception e) when (e is not CheckpointException and not OutOfMemoryException)
        {
            throw new CheckpointException($"Cannot read PyTorch checkpoint '{path}': {e.Message}", e);
        }
    }
}
