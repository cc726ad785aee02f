namespace Ser.Api.Hosting;

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
