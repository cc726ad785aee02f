namespace Ser.Api.Hosting;

/// <summary>What one Ser process does (<c>Ser:Role</c>): the same binary serves, trains, or both.</summary>
public enum ServiceRole
{
    /// <summary>Serves models and the API and trains on its own Hangfire server: the single-machine default.</summary>
    All,

    /// <summary>Serves models and the API and enqueues jobs; never trains.</summary>
    Api,

    /// <summary>Runs the <c>training</c> queue; answers only health and Prometheus metrics over HTTP.</summary>
    Worker,
}
