namespace Ser.Api.Models.Contracts;

/// <summary>Answer of <c>GET /models</c>.</summary>
public sealed record ModelsResponse(IReadOnlyDictionary<string, string?> Active, IReadOnlyList<LoadedModel> Loaded, MathMode Math);
