using System.Text.Json;
using System.Text.Json.Serialization;
using Ser.Core.Features;
using Ser.Core.IO;
using Ser.Core.Models.Checkpoints;

namespace Ser.Core.Models.ResNet;

/// <summary>A saved spectrogram ResNet: <c>model.safetensors</c> (torchvision names) and <c>ser-resnet.json</c>
/// (preset, width, channels, front end, window, labels), written together atomically.</summary>
public static class ResNetModelFolder
{
    public const string WeightsFile = "model.safetensors";
    public const string ConfigFile = "ser-resnet.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // Enums by name ("slaney", as torchaudio spells them); files that hold numbers (written before 2026-12) still read.
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>What the JSON file holds.</summary>
    public sealed record Description(string Preset, int BaseWidth, int InChannels, LogMelOptions FrontEnd, double WindowSeconds, IReadOnlyList<string> Labels)
    {
        [JsonIgnore]
        public ResNetSpec Spec => new(BaseWidth, InChannels, FrontEnd, WindowSeconds);
    }

    public static void Save(ResNet18 model, Description description, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        AtomicDirectory.Write(directory, temp =>
        {
            ResNetCheckpoint.Save(model, Path.Combine(temp, WeightsFile));
            File.WriteAllText(Path.Combine(temp, ConfigFile), JsonSerializer.Serialize(description, Json));
        });
    }

    /// <exception cref="CheckpointException">Missing or unreadable files, or weights that do not fit.</exception>
    public static (ResNet18 Model, Description Description) Load(string directory)
    {
        var configPath = Path.Combine(directory, ConfigFile);
        if (!File.Exists(configPath)) throw new CheckpointException($"No {ConfigFile} in '{directory}'.");
        Description description;
        try
        {
            description = JsonSerializer.Deserialize<Description>(File.ReadAllText(configPath), Json)
                ?? throw new CheckpointException($"'{configPath}' is empty.");
            description.FrontEnd.Validate();
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException)
        {
            throw new CheckpointException($"'{configPath}' is not a valid ResNet description: {e.Message}", e);
        }
        var model = new ResNet18(description.Labels.Count, description.InChannels, description.BaseWidth);
        try
        {
            ResNetCheckpoint.LoadInto(model, Path.Combine(directory, WeightsFile));
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return (model, description);
    }
}
