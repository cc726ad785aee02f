using System.Text.Json;

namespace Ser.Api.Jobs;

/// <summary>What the service keeps about a job (Hangfire keeps only its own id and arguments).</summary>
/// <param name="Request">The body the job was created from, as sent.</param>
public sealed record JobRecord(string Id, string Kind, JobState State, DateTimeOffset CreatedAt, JsonElement Request, IReadOnlyList<string> RunIds,
    string? HangfireId = null, DateTimeOffset? StartedAt = null, DateTimeOffset? FinishedAt = null, int Attempt = 0, string? Error = null,
    bool CancelRequested = false, string? IdempotencyKey = null, CrossValidationRef? CrossValidation = null);
