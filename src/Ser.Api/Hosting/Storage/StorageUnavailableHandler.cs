using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Ser.Training.Storage;

namespace Ser.Api.Hosting.Storage;

/// <summary>Storage that is unavailable for now (locked or busy beyond the busy timeout, full, read-only, unreachable)
/// is the service's condition, not the request's fault: 503 + Retry-After instead of a 500, for every endpoint.</summary>
public sealed class StorageUnavailableHandler(IProblemDetailsService problems, ILogger<StorageUnavailableHandler> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (!IsUnavailable(exception)) return false;
        logger.LogWarning("{Method} {Path}: storage unavailable: {Message}", httpContext.Request.Method, httpContext.Request.Path, exception.Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Service unavailable",
                Type = "https://ser.dev/problems/503",
                // No paths or SQL: the kind of trouble is enough to act on.
                Detail = "The service's storage is unavailable for now (locked by another process, full or unreachable). Try again later; "
                    + "POST /jobs/train is safe to repeat with the same Idempotency-Key.",
            },
        }).ConfigureAwait(false);
    }

    /// <summary><see cref="StorageFaults"/>, plus the same SQLite conditions raised by Hangfire's SQLite storage.</summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (StorageFaults.IsUnavailable(e)) return true;
            if (e is SQLite.SQLiteException { Result: SQLite.SQLite3.Result.Busy or SQLite.SQLite3.Result.Locked or SQLite.SQLite3.Result.ReadOnly
                or SQLite.SQLite3.Result.IOError or SQLite.SQLite3.Result.Full or SQLite.SQLite3.Result.CannotOpen }) return true;
        }
        return false;
    }
}
