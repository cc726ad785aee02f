using System.Text.Json.Serialization;

namespace Ser.Api.Classification.Contracts;

/// <summary>Answer of <c>POST /classify</c> (API.md): labels in fixed order, what the audio was, each model's prediction.</summary>
public sealed record ClassifyResponse(
    IReadOnlyList<string> Labels, AudioInfo Audio, IReadOnlyDictionary<string, ModelPrediction> Predictions,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Agreement? Agreement,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<Segment>? Segments)
{
    /// <summary>With <c>segments=true</c>: the speech regions scored (voice-activity detection on clips longer than a
    /// window; the whole clip otherwise, or when nothing was loud enough).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<SpeechSpan>? Speech { get; init; }
}
