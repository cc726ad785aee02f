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

public static class ServiceRoles
{
    public const string Key = "Ser:Role";

    /// <exception cref="InvalidOperationException">The configured role is none of api, worker, all.</exception>
    public static ServiceRole Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration[Key];
        if (string.IsNullOrWhiteSpace(value)) return ServiceRole.All;
        // Names only: Enum.TryParse would also take "2" for worker.
        return value.All(char.IsAsciiLetter) && Enum.TryParse<ServiceRole>(value, ignoreCase: true, out var role)
            ? role
            : throw new InvalidOperationException($"{Key} is '{value}': use api, worker or all (Ser__Role in the environment).");
    }

    public static bool Serves(this ServiceRole role) => role != ServiceRole.Worker;

    public static bool Trains(this ServiceRole role) => role != ServiceRole.Api;
}
