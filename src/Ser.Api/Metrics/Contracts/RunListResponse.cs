namespace Ser.Api.Metrics.Contracts;

public sealed record RunListResponse(IReadOnlyList<RunListItem> Items, string? Next);
