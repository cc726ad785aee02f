using Microsoft.Extensions.Diagnostics.HealthChecks;
using Ser.Training.Storage;

namespace Ser.Api.Hosting.Storage;

/// <summary>The run registry's database (SQLite or PostgreSQL) answers a cheap query.</summary>
public sealed class StorageHealthCheck(SqlDatabase database) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            // Reads the schema, so SQLite takes a shared lock (a bare SELECT 1 never touches the file).
            database.Query("SELECT COUNT(*) FROM " + (database.IsPostgres ? "pg_catalog.pg_namespace" : "sqlite_master"), r => r.GetInt64(0));
            return Task.FromResult(HealthCheckResult.Healthy(database.IsPostgres ? "postgresql" : "sqlite"));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, "the database did not answer: " + e.GetType().Name));
        }
    }
}
