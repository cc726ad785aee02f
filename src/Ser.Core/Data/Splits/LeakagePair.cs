namespace Ser.Core.Data.Splits;

/// <summary>What two sides of a split share: speakers, sentences (the same text read on both sides) and identical audio
/// (groups of clip ids whose files have the same SHA-256, listed per side).</summary>
/// <param name="Parts">e.g. <c>train-test</c>.</param>
public sealed record LeakagePair(string Parts, IReadOnlyList<string> Speakers, IReadOnlyList<string> Sentences, IReadOnlyList<IReadOnlyList<string>> IdenticalAudio);
