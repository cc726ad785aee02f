using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Ser.Training.BaseCheckpoints;

/// <summary>The named HttpClient the hub is reached through: retries with exponential backoff and jitter on network
/// errors, 408, 429 and 5xx (honouring Retry-After). Its timeouts end at the response headers (the hub reads bodies
/// with ResponseHeadersRead), so a large file is never cut by them; a stalled body is <see cref="HuggingFaceHub.StallTimeout"/>'s.</summary>
public static class HubHttp
{
    public const string ClientName = "huggingface-hub";

    /// <param name="retryDelay">The first backoff (doubled each retry); 2 s unless a test needs it short.</param>
    public static IServiceCollection AddHuggingFaceHubClient(this IServiceCollection services, TimeSpan? retryDelay = null, int retries = 5)
    {
        services.AddHttpClient(ClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler("hub", pipeline => pipeline
                .AddTimeout(TimeSpan.FromMinutes(5)) // all attempts and backoffs until headers
                .AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = retries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = retryDelay ?? TimeSpan.FromSeconds(2),
                    ShouldRetryAfterHeader = true,
                })
                .AddTimeout(TimeSpan.FromSeconds(60))); // one attempt's wait for headers
        return services;
    }

    /// <summary>A hub on the registered client (for hosts and the CLI alike).</summary>
    public static HuggingFaceHub CreateHub(IServiceProvider services, HuggingFaceHubSettings? settings = null) =>
        new(services.GetRequiredService<IHttpClientFactory>().CreateClient(ClientName), settings);
}
