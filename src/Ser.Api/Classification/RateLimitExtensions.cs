using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Ser.Api.Hosting;

namespace Ser.Api.Classification;

/// <summary>Per-client limit on classification (<c>Ser:RateLimit:PermitsPerMinute</c>, default 600, a permit per clip;
/// 0 turns it off): over it, 429 problem details with Retry-After (<see cref="ClassifyRateLimiter"/>).</summary>
public static class RateLimitExtensions
{
    public static WebApplicationBuilder AddSerRateLimits(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<RateLimitOptions>().Bind(builder.Configuration.GetSection(RateLimitOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(sp => new ClassifyRateLimiter(sp.GetRequiredService<IOptions<RateLimitOptions>>().Value.PermitsPerMinute));
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>().Configure<ClassifyRateLimiter>((options, limiter) =>
        {
            options.GlobalLimiter = limiter.Limiter;
            options.OnRejected = async (rejected, _) =>
            {
                var retry = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? (int)Math.Ceiling(after.TotalSeconds) : 60;
                await TooManyClips(rejected.HttpContext, limiter.PermitsPerMinute, retry).ExecuteAsync(rejected.HttpContext).ConfigureAwait(false);
            };
        });
        return builder;
    }

    /// <summary>Counts the endpoint's requests (and, through <see cref="ClassifyRateLimiter.TryAcquireClips"/>, its further clips).</summary>
    public static RouteHandlerBuilder RequireClassifyRateLimit(this RouteHandlerBuilder endpoint) => endpoint.WithMetadata(ClassifyRateLimiter.Marker);

    public static ProblemHttpResult TooManyClips(HttpContext context, int permits, int retryAfterSeconds)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Problems.Create(StatusCodes.Status429TooManyRequests, "Too many requests",
            $"More than {permits} clips a minute from this client (a batch counts each file); retry after {retryAfterSeconds} s.");
    }
}
