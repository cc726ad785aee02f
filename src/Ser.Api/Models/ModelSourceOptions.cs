namespace Ser.Api.Models;

/// <summary><c>Ser:Models:{architecture}:Path</c>.</summary>
public sealed class ModelSourceOptions
{
    public string? Path { get; set; }
}
