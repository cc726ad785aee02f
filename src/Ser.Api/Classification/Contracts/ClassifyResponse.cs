using System.Text.Json.Serialization;

namespace Ser.Api.Classification.Contracts;

/// <summary>Answer of <c>POST /classify</c> (API.md): labels in fixed order, what the audio was, each model's prediction.</summary>
public sealed record ClassifyResponse(
    IReadOnlyList<string> Labels, AudioInfo Audio, IReadOnlyDictionary<string, ModelPrediction> Predictions,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Agreement? Agreement,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<Segment>? Segments);
