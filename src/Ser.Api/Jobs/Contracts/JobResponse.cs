using System.Text.Json;

namespace Ser.Api.Jobs.Contracts;

/// <summary>A job as <c>GET /jobs/{id}</c> shows it.</summary>
/// <param name="State"><c>queued</c>, <c>running</c>, <c>succeeded</c>, <c>failed</c> or <c>cancelled</c>.</param>
public sealed record JobResponse(string Id, string Kind, string State, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
    int Attempt, JsonElement Request, IReadOnlyList<JobRun> Runs, string? Error)
{
    /// <summary>Set on the jobs of a k-fold cross-validation (<c>actor-kfold</c> without a <c>fold</c>): one job per fold.</summary>
    public CrossValidationInfo? CrossValidation { get; init; }
}
