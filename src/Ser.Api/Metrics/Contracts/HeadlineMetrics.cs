using Ser.Core.Evaluation;

namespace Ser.Api.Metrics.Contracts;

/// <summary>Headline figures, each with its 95 % CI.</summary>
public sealed record HeadlineMetrics(Estimate Wa, Estimate Ua, Estimate MacroF1);
