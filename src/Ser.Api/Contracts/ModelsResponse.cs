namespace Ser.Api.Contracts;

/// <summary>Answer of <c>GET /models</c>.</summary>
public sealed record ModelsResponse(IReadOnlyDictionary<string, string?> Active, IReadOnlyList<LoadedModel> Loaded);

/// <param name="Source"><c>registry</c> (a run) or <c>folder</c> (Ser:Models:{architecture}:Path).</param>
public sealed record LoadedModel(string Architecture, string? RunId, string Preset, string Source, long Parameters, string Dataset,
    string? SplitHash, TestMetricsInfo? TestMetrics, IReadOnlyList<string> Labels, string Device, DateTimeOffset LoadedAt);

public sealed record TestMetricsInfo(double Wa, double Ua, double MacroF1);

/// <summary>Body of <c>POST /models/{architecture}/activate</c>.</summary>
public sealed record ActivateRequest(string? RunId);
