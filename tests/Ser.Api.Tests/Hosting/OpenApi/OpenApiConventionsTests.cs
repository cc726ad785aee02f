using System.Diagnostics;
using System.Text.Json;
using Ser.Tests;

namespace Ser.Api.Tests.Hosting.OpenApi;

/// <summary>The OpenAPI document shows an example of every JSON request body, a schema for every 200, and passes
/// Spectral's <c>spectral:oas</c> rules (the repository's .spectral.yaml) without a warning.</summary>
public sealed class OpenApiConventionsTests : IClassFixture<SerApiFactory>
{
    private const string SpectralPackage = "@stoplight/spectral-cli@6.16.3";
    private readonly SerApiFactory _factory;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public OpenApiConventionsTests(SerApiFactory factory) => _factory = factory;

    private async Task<string> Document()
    {
        using var client = _factory.CreateClient();
        return await client.GetStringAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative), Ct);
    }

    [Fact]
    public async Task Job_and_activate_bodies_have_examples_and_compare_has_a_200_schema()
    {
        using var doc = JsonDocument.Parse(await Document());
        var paths = doc.RootElement.GetProperty("paths");

        var train = Example(paths, "/jobs/train");
        Assert.Equal("resnet18", train.GetProperty("architecture").GetString());
        Assert.Equal("synthetic", train.GetProperty("dataset").GetString());
        Assert.Equal(JsonValueKind.Array, Example(paths, "/jobs/evaluate").GetProperty("runs").ValueKind);
        Assert.StartsWith("r-", Example(paths, "/models/{architecture}/activate").GetProperty("runId").GetString(), StringComparison.Ordinal);
        var schema = paths.GetProperty("/metrics/compare").GetProperty("get").GetProperty("responses").GetProperty("200")
            .GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString()!;
        var properties = doc.RootElement.GetProperty("components").GetProperty("schemas").GetProperty(schema.Split('/')[^1]).GetProperty("properties");
        foreach (var name in new[] { "split", "runs", "mcnemar", "human" }) Assert.True(properties.TryGetProperty(name, out _), name);
        foreach (var tag in doc.RootElement.GetProperty("tags").EnumerateArray())
            Assert.False(string.IsNullOrEmpty(tag.GetProperty("description").GetString()), tag.ToString());
    }

    [Fact]
    public async Task Spectral_oas_rules_report_no_warning()
    {
        var folder = Directory.CreateTempSubdirectory("ser-spectral-").FullName;
        try
        {
            var spectral = await FindSpectral(folder);
            var document = Path.Combine(folder, "swagger.json");
            await File.WriteAllTextAsync(document, await Document(), Ct);

            var (exit, output) = await Run(spectral, ["lint", document, "--ruleset", Path.Combine(TestPaths.RepositoryRoot, ".spectral.yaml"),
                "--fail-severity", "warn"], folder);

            Assert.True(exit == 0, output);
            Assert.Contains("No results with a severity of 'warn' or higher found", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static JsonElement Example(JsonElement paths, string path) =>
        paths.GetProperty(path).GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");

    // SER_SPECTRAL names an installed CLI (.ci/run installs one); otherwise npm installs it into the test's folder.
    private static async Task<string> FindSpectral(string folder)
    {
        if (Environment.GetEnvironmentVariable("SER_SPECTRAL") is { Length: > 0 } installed) return installed;
        var (exit, output) = await Run("npm", ["install", "--no-audit", "--no-fund", "--prefix", folder, SpectralPackage], folder);
        if (exit != 0) Assert.Skip($"Spectral could not be installed (npm install {SpectralPackage} exited {exit}): {output[^Math.Min(300, output.Length)..]}");
        return Path.Combine(folder, "node_modules", ".bin", "spectral");
    }

    private static async Task<(int Exit, string Output)> Run(string file, string[] arguments, string directory)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Skip($"'{file}' is not installed here (Node.js and npm are needed for the Spectral check): {e.Message}");
            throw;
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(Ct);
            var stderr = process.StandardError.ReadToEndAsync(Ct);
            await process.WaitForExitAsync(Ct);
            return (process.ExitCode, await stdout + await stderr);
        }
    }
}
