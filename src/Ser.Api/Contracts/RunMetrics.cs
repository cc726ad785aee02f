using Ser.Core.Evaluation;

namespace Ser.Api.Contracts;

/// <summary>A run's split as the metrics endpoints show it.</summary>
public sealed record SplitInfo(string Strategy, long Seed, string? Hash, bool SpeakerIndependent);

/// <summary>Headline figures, each with its 95 % CI.</summary>
public sealed record HeadlineMetrics(Estimate Wa, Estimate Ua, Estimate MacroF1);

/// <summary>One row of <c>GET /metrics/runs</c>.</summary>
public sealed record RunListItem(string RunId, string Kind, string Architecture, string Preset, string Dataset, SplitInfo Split, string State,
    DateTimeOffset CreatedAt, HeadlineMetrics? Metrics);

public sealed record RunListResponse(IReadOnlyList<RunListItem> Items, string? Next);

/// <summary>The full evaluation of a run (<c>GET /metrics/runs/{id}</c>).</summary>
public sealed record RunMetrics(string RunId, string Architecture, string Preset, string Dataset, SplitInfo Split, FullMetrics Metrics,
    HumanBaseline? Human, string? HumanAbsentReason, TrainingInfo Training);

public sealed record FullMetrics(Estimate Wa, Estimate Ua, Estimate MacroF1, IReadOnlyList<ClassMetrics> PerClass, ConfusionInfo Confusion,
    IReadOnlyDictionary<string, GroupMetrics> BySex, IReadOnlyDictionary<string, GroupMetrics> ByIntensity, double Ece);

/// <param name="Matrix">Rows are the truth, columns the prediction, in <paramref name="Labels"/> order.</param>
public sealed record ConfusionInfo(IReadOnlyList<string> Labels, int[][] Matrix);

public sealed record TrainingInfo(double Seconds, string Device, int Epochs, int BestEpoch, long Seed);

/// <summary><c>GET /metrics/compare</c>.</summary>
public sealed record CompareResponse(CompareSplit Split, IReadOnlyList<RunMetrics> Runs, McNemar? Mcnemar, HumanSummary? Human,
    string? HumanAbsentReason, IReadOnlyList<string> Notes);

public sealed record CompareSplit(string Hash, string Strategy, bool SpeakerIndependent, int TestClips);

public sealed record HumanSummary(double Wa, double Ua, int Clips);
