namespace Ser.Api.Models;

/// <summary>Where the service keeps its data and which model folders to serve (<c>Ser</c> section).</summary>
public sealed class ServingOptions
{
    public const string Section = "Ser";

    /// <summary>Everything the service writes: runs/, registry.db, models/ (relative paths resolve against the working directory).</summary>
    public string DataPath { get; set; } = "data";

    /// <summary>Per architecture, a model folder (or ResNet state dict) to serve instead of the registry's active run.</summary>
    public Dictionary<string, ModelSourceOptions> Models { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public string FullDataPath => Path.GetFullPath(DataPath);

    /// <summary>The data folder as configured, for registrations made before the options exist.</summary>
    public static string FullDataPathOf(IConfiguration configuration) =>
        (configuration.GetSection(Section).Get<ServingOptions>() ?? new ServingOptions()).FullDataPath;

    public string RunsPath => Path.Combine(FullDataPath, "runs");

    /// <summary>Where each k-fold cross-validation records its fold jobs.</summary>
    public string CrossValidationPath => Path.Combine(FullDataPath, "cross-validation");

    public string RegistryPath => Path.Combine(FullDataPath, "registry.db");
}
