namespace Ser.Core.Data;

/// <summary>One labelled clip of a corpus: "file + label + speaker", with optional metadata.</summary>
/// <param name="Id">Unique within its corpus (CREMA-D: the file name without extension).</param>
/// <param name="Path">Absolute path of the WAV.</param>
/// <param name="Label">Index in <see cref="EmotionLabels.All"/>.</param>
/// <param name="Speaker">Speaker id (CREMA-D: the actor).</param>
/// <param name="Sex">"male", "female" or null when unknown.</param>
/// <param name="Intensity">CREMA-D's LO, MD, HI or XX (unspecified); null elsewhere.</param>
/// <param name="Crowd">CREMA-D's crowd-sourced audio-only perception; null elsewhere.</param>
public sealed record ClipInfo(string Id, string Path, int Label, string Speaker, string? Sex = null, string? Intensity = null,
    string? Sentence = null, int? Age = null, string? Race = null, string? Ethnicity = null, CrowdVote? Crowd = null);
