using System.Text.Json;
using Ser.Core.IO;
using Ser.Core.Models.Checkpoints;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Ser.Training.Runs;

namespace Ser.Training.Loops;

/// <summary>Everything a run needs to continue exactly where it stopped: weights, optimizer moments, libtorch's
/// RNG, the position in the data plan and the early-stopping state. <c>last/</c> is replaced atomically (temp
/// folder, fsync, rename); <c>best.safetensors</c> holds the weights of the best validation UA so far.</summary>
/// <param name="EpochLossSum">Loss summed over the clips of the current epoch so far (its curve point survives a resume).</param>
public sealed record TrainingCheckpoint(int Epoch, int NextBatch, long Step, double BestUa, int BestEpoch, int SinceBest,
    IReadOnlyList<EpochMetrics> History, double Seconds, double EpochLossSum = 0, int EpochLossCount = 0)
{
    private const string Last = "last";
    private const string Best = "best.safetensors";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static bool Exists(string directory) => File.Exists(Path.Combine(directory, Last, "state.json"));

    public void Save(string directory, nn.Module model, OptimizerHelper optimizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        AtomicDirectory.Write(Path.Combine(directory, Last), temp =>
        {
            SafeTensorsFile.Write(Path.Combine(temp, "model.safetensors"), model.state_dict());
            optimizer.save_state_dict(Path.Combine(temp, "optimizer.bin"));
            using var rng = get_rng_state();
            File.WriteAllBytes(Path.Combine(temp, "rng.bin"), rng.bytes.ToArray());
            File.WriteAllText(Path.Combine(temp, "state.json"), JsonSerializer.Serialize(this, Json));
        });
    }

    /// <summary>Restores weights, optimizer and RNG from <c>last/</c> and returns the position to continue from.</summary>
    public static TrainingCheckpoint Load(string directory, nn.Module model, OptimizerHelper optimizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        var folder = Path.Combine(directory, Last);
        var state = JsonSerializer.Deserialize<TrainingCheckpoint>(File.ReadAllText(Path.Combine(folder, "state.json")), Json)
            ?? throw new CheckpointException($"'{folder}/state.json' is empty.");
        LoadWeights(model, Path.Combine(folder, "model.safetensors"));
        optimizer.load_state_dict(Path.Combine(folder, "optimizer.bin"));
        using var rng = get_rng_state();
        rng.bytes = File.ReadAllBytes(Path.Combine(folder, "rng.bin"));
        set_rng_state(rng);
        return state;
    }

    public static void SaveBest(string directory, nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        SafeTensorsFile.Write(Path.Combine(directory, Best), model.state_dict());
    }

    /// <summary>Puts the best weights back into <paramref name="model"/>; false when no epoch was validated.</summary>
    public static bool RestoreBest(string directory, nn.Module model)
    {
        var path = Path.Combine(directory, Best);
        if (!File.Exists(path)) return false;
        LoadWeights(model, path);
        return true;
    }

    private static void LoadWeights(nn.Module model, string path)
    {
        var weights = SafeTensorsFile.Read(path);
        try
        {
            StateDictLoader.Load(model, weights, _ => false, $"'{path}'");
        }
        finally
        {
            foreach (var t in weights.Values) t.Dispose();
        }
    }
}
