namespace Ser.Api.Metrics.Contracts;

/// <param name="Matrix">Rows are the truth, columns the prediction, in <paramref name="Labels"/> order.</param>
public sealed record ConfusionInfo(IReadOnlyList<string> Labels, int[][] Matrix);
