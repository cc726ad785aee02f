namespace Ser.Api.Jobs.Contracts;

public sealed record JobListResponse(IReadOnlyList<JobResponse> Items, string? Next);
