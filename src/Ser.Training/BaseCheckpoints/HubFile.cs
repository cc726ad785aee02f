namespace Ser.Training.BaseCheckpoints;

/// <summary>One file of a hub repo, given as alternatives tried in order (the first the hub has is downloaded),
/// e.g. <c>["model.safetensors", "pytorch_model.bin"]</c>.</summary>
/// <param name="Required">When none of the alternatives exists, the download fails; otherwise the file is skipped.</param>
public sealed record HubFile(IReadOnlyList<string> Alternatives, bool Required = true)
{
    /// <summary>"a or b" for messages.</summary>
    public override string ToString() => string.Join(" or ", Alternatives);
}
