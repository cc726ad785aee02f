using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Ser.Api.Extensions;

/// <summary>Per-client limit on classification (<c>Ser:RateLimit:PermitsPerMinute</c>, default 600; 0 turns it off):
/// over it, 429 problem details with Retry-After.</summary>
public static class RateLimitExtensions
{
    public const string Classify = "classify";

    public static WebApplicationBuilder AddSerRateLimits(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var permits = builder.Configuration.GetValue<int?>("Ser:RateLimit:PermitsPerMinute") ?? 600;
        builder.Services.AddRateLimiter(options =>
        {
            options.AddPolicy(Classify, context => permits <= 0
                ? RateLimitPartition.GetNoLimiter("all")
                : RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "local",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            options.OnRejected = async (rejected, cancellationToken) =>
            {
                var retry = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? (int)Math.Ceiling(after.TotalSeconds) : 60;
                rejected.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                rejected.HttpContext.Response.Headers.RetryAfter = retry.ToString(CultureInfo.InvariantCulture);
                await Results.Problem($"More than {permits} classification requests a minute from this client; retry after {retry} s.",
                    statusCode: 429, title: "Too many requests", type: "https://ser.dev/problems/429").ExecuteAsync(rejected.HttpContext).ConfigureAwait(false);
            };
        });
        return builder;
    }
}
