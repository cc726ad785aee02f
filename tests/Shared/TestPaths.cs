namespace Ser.Tests;

/// <summary>Where the repository and the shared reference material (../shared beside the clone) are.</summary>
internal static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The shared folder beside the repository (reference fixtures, CREMA-D metadata); read in place.</summary>
    public static string Shared => Environment.GetEnvironmentVariable("SER_SHARED") is { Length: > 0 } custom
        ? custom
        : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));

    public static string Fixture(params string[] parts) => Path.Combine([Shared, "fixtures", .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ser.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No Ser.sln above {AppContext.BaseDirectory}.");
    }
}
