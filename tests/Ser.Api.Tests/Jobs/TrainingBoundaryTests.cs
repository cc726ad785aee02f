using Ser.Tests;

namespace Ser.Api.Tests.Jobs;

/// <summary>Ser.Api reaches training through Ser.Training.Runs (the request, the planner, the runner) only: the recipes,
/// loops and base checkpoint catalog stay behind it, so the API cannot decide a run differently from the CLI again.</summary>
public sealed class TrainingBoundaryTests
{
    [Fact]
    public void No_api_source_file_uses_the_training_internals()
    {
        var api = Path.Combine(TestPaths.RepositoryRoot, "src", "Ser.Api");
        var offenders = Directory.EnumerateFiles(api, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(api, f), Line: i + 1, Text: line)))
            .Where(l => Internals.Any(n => l.Text.Contains(n, StringComparison.Ordinal)))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToArray();

        Assert.Empty(offenders);
    }

    private static readonly string[] Internals = ["Ser.Training.Recipes", "Ser.Training.Loops", "Ser.Training.BaseCheckpoints"];
}
