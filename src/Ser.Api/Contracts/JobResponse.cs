using System.Text.Json;
using Ser.Training.Runs;

namespace Ser.Api.Contracts;

/// <summary>A job as <c>GET /jobs/{id}</c> shows it.</summary>
/// <param name="State"><c>queued</c>, <c>running</c>, <c>succeeded</c>, <c>failed</c> or <c>cancelled</c>.</param>
public sealed record JobResponse(string Id, string Kind, string State, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
    int Attempt, JsonElement Request, IReadOnlyList<JobRun> Runs, string? Error);

/// <param name="ResumedFromStep">The optimizer step a restarted attempt continued from, if any.</param>
public sealed record JobRun(string RunId, string Architecture, string State, TrainingProgress? Progress, long? ResumedFromStep);

public sealed record JobListResponse(IReadOnlyList<JobResponse> Items, string? Next);
