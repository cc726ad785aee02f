namespace Ser.Training.BaseCheckpoints;

/// <summary>A base checkpoint Ser can fetch by name: which hub repo, and which of its files make the folder.</summary>
/// <param name="Name">The folder name under the models folder, e.g. <c>wav2vec2-base</c>.</param>
/// <param name="Architecture">The architecture it initialises (<see cref="Ser.Core.Models.ModelArchitectures"/>).</param>
public sealed record BaseCheckpointSource(string Name, string Architecture, string RepoId, IReadOnlyList<HubFile> Files, string Revision = "main")
{
    /// <summary>The required files for messages: "config.json and model.safetensors or pytorch_model.bin".</summary>
    public string Contents => string.Join(" and ", Files.Where(f => f.Required));
}
