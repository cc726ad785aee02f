using System.Text.Json.Serialization;

namespace Ser.Api.Contracts;

/// <summary>Answer of <c>POST /classify</c> (API.md): labels in fixed order, what the audio was, each model's prediction.</summary>
public sealed record ClassifyResponse(
    IReadOnlyList<string> Labels, AudioInfo Audio, IReadOnlyDictionary<string, ModelPrediction> Predictions,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Agreement? Agreement,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<Segment>? Segments);

/// <param name="SourceEncoding">pcm8, pcm16, pcm24, pcm32, float32, float64, mulaw or alaw.</param>
public sealed record AudioInfo(double DurationSeconds, int SourceSampleRate, int SourceChannels, string SourceEncoding, QualityInfo Quality);

/// <param name="Warnings">short (&lt; 1 s), very_short (&lt; 0.1 s), silent, clipped, low_snr, long (scored in windows).</param>
public sealed record QualityInfo(double PeakDbfs, double RmsDbfs, double ClippedFraction, double SilentFraction, double SnrDb, IReadOnlyList<string> Warnings);

/// <param name="Uncertain">True when <paramref name="Confidence"/> is below <c>Ser:Inference:AbstainBelow</c>.</param>
/// <param name="LatencyMs">Time from queueing the clip to its result for this model.</param>
public sealed record ModelPrediction(string Label, double Confidence, bool Uncertain, IReadOnlyDictionary<string, double> Probabilities,
    string? RunId, string Preset, double LatencyMs, IReadOnlyList<string> LabelsSupported);

/// <param name="JensenShannon">Divergence between the two distributions, in bits (0 = identical, 1 = disjoint).</param>
public sealed record Agreement(bool Agree, double JensenShannon);

public sealed record Segment(double StartSeconds, double EndSeconds, IReadOnlyDictionary<string, SegmentPrediction> Predictions);

public sealed record SegmentPrediction(string Label, IReadOnlyDictionary<string, double> Probabilities);
