using Ser.Tests;

namespace Ser.Api.Tests.Deployment;

/// <summary>The files a visitor of the repository looks for: the code's licence beside the data's, the changelog and
/// how to contribute, each linked from the README.</summary>
public sealed class RepositoryFilesTests
{
    private static readonly string Root = TestPaths.RepositoryRoot;

    private static string Read(string file) => File.ReadAllText(Path.Combine(Root, file));

    [Fact]
    public void The_code_is_MIT_and_points_to_the_data_licence()
    {
        var license = Read("LICENSE");

        Assert.StartsWith("MIT License", license, StringComparison.Ordinal);
        Assert.Contains("Copyright (c) 2026 Ser contributors", license, StringComparison.Ordinal);
        Assert.Contains("ODbL", license, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Root, "src", "Ser.Core", "Data", "CremaD", "Resources", "LICENSE.txt")));
    }

    [Fact]
    public void The_changelog_follows_keep_a_changelog()
    {
        var changelog = Read("CHANGELOG.md");

        Assert.Contains("keepachangelog.com", changelog, StringComparison.Ordinal);
        Assert.Contains("## [Unreleased]", changelog, StringComparison.Ordinal);
        Assert.Matches(@"## \[\d+\.\d+\.\d+\] - \d{4}-\d{2}-\d{2}", changelog);
    }

    [Fact]
    public void Contributing_says_how_to_test_benchmark_fuzz_and_keep_the_scalar_rule()
    {
        var contributing = Read("CONTRIBUTING.md");

        foreach (var must in new[] { "dotnet test", "--filter", "benchmarks/", "fuzz/README.md", "src/BannedSymbols.txt", "Scalars.Of", "Warnings are errors" })
            Assert.Contains(must, contributing, StringComparison.Ordinal);
        foreach (var path in new[] { "fuzz/README.md", "src/BannedSymbols.txt", "benchmarks/Ser.Benchmarks" })
            Assert.True(File.Exists(Path.Combine(Root, path)) || Directory.Exists(Path.Combine(Root, path)), $"{path} is named but missing");
    }

    [Theory]
    [InlineData("LICENSE")]
    [InlineData("CHANGELOG.md")]
    [InlineData("CONTRIBUTING.md")]
    [InlineData("src/Ser.Core/Data/CremaD/Resources/LICENSE.txt")]
    public void The_readme_links_the_file(string file) =>
        Assert.Contains($"]({file})", Read("README.md"), StringComparison.Ordinal);
}
