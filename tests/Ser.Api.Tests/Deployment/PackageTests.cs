using System.Text.Json;
using System.Xml.Linq;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Ser.Tests;

namespace Ser.Api.Tests.Deployment;

/// <summary>What Ser.Api ships, read from its deps.json (copied beside the tests) and Directory.Packages.props.</summary>
public sealed class PackageTests
{
    private static readonly string[] Unused = ["TorchVision", "Serilog.Sinks.File", "NetArchTest.Rules"];

    private static Dictionary<string, JsonElement> Libraries()
    {
        using var deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Ser.Api.deps.json")));
        return deps.RootElement.GetProperty("libraries").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
    }

    private static IEnumerable<(string Name, string Version)> Packages() =>
        Libraries().Keys.Select(k => k.Split('/')).Select(p => (p[0], p[1]));

    [Fact]
    public void Every_SQLitePCLRaw_package_has_one_version()
    {
        var raw = Packages().Where(p => p.Name.StartsWith("SQLitePCLRaw.", StringComparison.OrdinalIgnoreCase)).ToList();

        Assert.Contains(raw, p => p.Name == "SQLitePCLRaw.core");
        Assert.Single(raw.Select(p => p.Version).Distinct());
    }

    [Fact]
    public void One_package_ships_the_native_sqlite_library_and_it_is_the_one_loaded()
    {
        using var deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Ser.Api.deps.json")));
        var target = deps.RootElement.GetProperty("targets").EnumerateObject().First().Value;
        var natives = target.EnumerateObject()
            .Where(p => p.Value.TryGetProperty("runtimeTargets", out var files)
                && files.EnumerateObject().Any(f => f.Name.Contains("e_sqlite3", StringComparison.Ordinal)))
            .Select(p => p.Name).ToList();

        var native = Assert.Single(natives);
        Assert.StartsWith("SourceGear.sqlite3/", native, StringComparison.Ordinal);
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "select sqlite_version()";
        // SourceGear.sqlite3 3.53.4 is SQLite 3.53.x: the library loaded is the one the package list names.
        var version = native.Split('/')[1];
        Assert.StartsWith(string.Join('.', version.Split('.').Take(2)) + ".", (string)command.ExecuteScalar()!, StringComparison.Ordinal);
    }

    [Fact]
    public void The_service_does_not_ship_the_in_memory_job_storage()
    {
        Assert.DoesNotContain(Packages(), p => p.Name == "Hangfire.InMemory");
        Assert.DoesNotContain("Hangfire.InMemory", File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "src", "Ser.Api", "Ser.Api.csproj")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_test_factory_keeps_jobs_in_memory_without_a_product_setting()
    {
        using var factory = new SerApiFactory();
        using var client = factory.CreateClient();

        Assert.IsType<Hangfire.InMemory.InMemoryStorage>(factory.Services.GetRequiredService<Hangfire.JobStorage>());
        Assert.False(File.Exists(Path.Combine(factory.DataPath, "hangfire.db")));
    }

    [Fact]
    public void The_service_does_not_ship_the_benchmarks_onnx_runtime()
    {
        Assert.DoesNotContain(Packages(), p => p.Name.StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.Ordinal));
        foreach (var project in Directory.EnumerateFiles(Path.Combine(TestPaths.RepositoryRoot, "src"), "*.csproj", SearchOption.AllDirectories))
            Assert.DoesNotContain("OnnxRuntime", File.ReadAllText(project), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_pinned_package_is_referenced_and_Microsoft_packages_share_one_10_0_patch()
    {
        var root = TestPaths.RepositoryRoot;
        var pins = XDocument.Load(Path.Combine(root, "Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!, StringComparer.Ordinal);
        var projects = Directory.EnumerateFiles(root, "*.*proj", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(root, "Directory.Build.*", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText).ToList();

        foreach (var name in Unused) Assert.DoesNotContain(name, pins.Keys);
        foreach (var name in pins.Keys)
            Assert.True(projects.Any(p => p.Contains($"Include=\"{name}\"", StringComparison.Ordinal)), $"{name} is pinned but no project references it");
        // Analyzers, dotnet/extensions' resilience packages (10.x.0 monthly) and ONNX Runtime (the benchmarks' peer) have
        // release trains of their own.
        var runtime = pins.Where(p => p.Key.StartsWith("Microsoft.", StringComparison.Ordinal) && !p.Key.StartsWith("Microsoft.CodeAnalysis.", StringComparison.Ordinal)
            && !p.Key.EndsWith(".Resilience", StringComparison.Ordinal) && !p.Key.StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.Ordinal));
        var version = Assert.Single(runtime.Select(p => p.Value).Distinct());
        Assert.StartsWith("10.0.", version, StringComparison.Ordinal);
        Assert.NotEqual("10.0.0", version); // the first release; patches fix security issues in ASP.NET Core and SQLite
    }
}
