using System.Diagnostics;
using Ser.Tests;

namespace Ser.Api.Tests.Deployment;

/// <summary>The deployment files checked without a Docker engine: the compose variants through
/// `docker-compose config` (Debian's docker-compose 1.29), the Dockerfiles as text.</summary>
public sealed class DeploymentFilesTests
{
    private static readonly string Root = TestPaths.RepositoryRoot;
    private const string ApiKey = "compose-test-key-0123456789";

    [Fact]
    public async Task The_cpu_compose_file_runs_api_and_worker_on_the_cpu_image()
    {
        var services = await ComposeConfigAsync("docker-compose.yml");

        AssertRolesAndVolumes(services);
        Assert.Contains("dockerfile: docker/Dockerfile", services["worker"]);
        Assert.Contains("Ser__Inference__Device: cpu", services["worker"]);
        Assert.DoesNotContain("driver: nvidia", services["worker"]);
    }

    [Fact]
    public async Task Compose_gives_the_serving_only_api_two_glibc_heaps_and_the_worker_the_images_one()
    {
        var services = await ComposeConfigAsync("docker-compose.yml", "docker-compose.gpu.yml");

        // The api trains nothing, so two heaps (Ser.Core.Runtime.MallocArenas.ServingOnly); the worker keeps the image's
        // MALLOC_ARENA_MAX=1, which the Dockerfile test checks.
        Assert.Contains($"MALLOC_ARENA_MAX: '{Ser.Core.Runtime.MallocArenas.ServingOnly}'", services["api"]);
        Assert.Contains("Ser__Role: api", services["api"]);
        Assert.DoesNotContain("MALLOC_ARENA_MAX", services["worker"]);
    }

    [Fact]
    public async Task The_gpu_override_gives_the_worker_the_cuda_image_and_one_gpu()
    {
        var services = await ComposeConfigAsync("docker-compose.yml", "docker-compose.gpu.yml");

        AssertRolesAndVolumes(services);
        Assert.Contains("dockerfile: docker/Dockerfile.gpu", services["worker"]);
        Assert.Contains("Ser__Inference__Device: cuda", services["worker"]);
        Assert.Contains("driver: nvidia", services["worker"]);
        Assert.Contains("- gpu", services["worker"]);
        Assert.DoesNotContain("driver: nvidia", services["api"]);
    }

    [Fact]
    public async Task Compose_has_no_default_key_and_refuses_to_run_without_one()
    {
        var (exitCode, _, errors) = await ComposeAsync(["docker-compose.yml"], apiKey: null);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("SER_API_KEY", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("change-me", File.ReadAllText(Path.Combine(Root, "docker-compose.yml")), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("docker/Dockerfile")]
    [InlineData("docker/Dockerfile.gpu")]
    public void The_dockerfiles_are_multi_stage_non_root_and_health_checked(string file)
    {
        var lines = File.ReadAllLines(Path.Combine(Root, file)).Select(l => l.Trim()).ToArray();

        Assert.True(lines.Count(l => l.StartsWith("FROM ", StringComparison.Ordinal)) >= 2, "not multi-stage");
        var user = Assert.Single(lines, l => l.StartsWith("USER ", StringComparison.Ordinal))[5..].Trim();
        Assert.False(user is "root" or "0" or "0:0", $"USER {user} is root");
        Assert.Contains(lines, l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("/health/live", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("dotnet publish src/Ser.Api", StringComparison.Ordinal));
        var cuda = lines.Any(l => l.Contains("dotnet publish", StringComparison.Ordinal) && l.Contains("-p:TorchBackend=cuda", StringComparison.Ordinal));
        Assert.Equal(file.EndsWith(".gpu", StringComparison.Ordinal), cuda);
        // The .NET image convention for the port; a `Urls` setting would hide ASPNETCORE_URLS/HTTP_PORTS overrides.
        Assert.Contains(lines, l => l.Contains("ASPNETCORE_HTTP_PORTS=8080", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("Urls=", StringComparison.Ordinal));
        // One glibc heap for all threads, read only at process start (Ser.Core.Runtime.MallocArenas).
        Assert.Contains(lines, l => l.TrimEnd('\\', ' ') == "MALLOC_ARENA_MAX=1");
        // ... on transparent huge pages where the host's kernel gives them on request (Ser.Core.Runtime.HeapHugePages).
        Assert.Contains(lines, l => l.TrimEnd('\\', ' ') == "GLIBC_TUNABLES=glibc.malloc.hugetlb=1");
    }

    [Theory]
    [InlineData("src/Ser.Api/Properties/launchSettings.json")]
    [InlineData("src/Ser.Training/Properties/launchSettings.json")]
    [InlineData("benchmarks/Ser.Benchmarks/Properties/launchSettings.json")]
    public void Every_launch_profile_gives_the_process_one_glibc_heap_on_huge_pages(string file)
    {
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, file)));
        var profiles = json.RootElement.GetProperty("profiles").EnumerateObject().ToArray();

        Assert.NotEmpty(profiles);
        Assert.All(profiles, p => Assert.Equal("1", p.Value.GetProperty("environmentVariables").GetProperty("MALLOC_ARENA_MAX").GetString()));
        Assert.All(profiles, p => Assert.True(Ser.Core.Runtime.HeapHugePages.Requested(name =>
            p.Value.GetProperty("environmentVariables").TryGetProperty(name, out var v) ? v.GetString() : null), $"{p.Name}: no huge pages"));
    }

    [Fact]
    public void The_service_allocates_a_default_windows_arrays_outside_the_large_object_heap()
    {
        // The service's runtimeconfig.json, as built beside its test assembly (and published into the images).
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Ser.Api.runtimeconfig.json")));
        var threshold = json.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").GetProperty("System.GC.LOHThreshold").GetInt64();

        // A clip of two windows (10 s at the defaults) decodes to floats below it: a request of that length allocates
        // no array there.
        var window = (long)(new Ser.Api.Classification.InferenceOptions().WindowSeconds * Ser.Core.Audio.AudioOptions.ModelSampleRate);
        Assert.True(threshold > 2 * window * sizeof(float), $"LOH threshold {threshold} bytes");
    }

    private static void AssertRolesAndVolumes(Dictionary<string, string> services)
    {
        Assert.Equal(["api", "postgres", "worker"], services.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("Ser__Role: api", services["api"]);
        Assert.Contains("Ser__Role: worker", services["worker"]);
        foreach (var name in new[] { "api", "worker" })
        {
            Assert.Contains($"Ser__Auth__ApiKeys__0: {ApiKey}", services[name]);
            Assert.Contains("ConnectionStrings__Postgres: Host=postgres;", services[name]);
            Assert.Contains("- ser-data:/data", services[name]);
            Assert.Contains("- crema-d:/datasets/crema-d:ro", services[name]);
        }
    }

    /// <summary>Runs `docker-compose -f … config` in the repository root (SER_API_KEY set, as compose requires) and returns
    /// each service's block of the resolved YAML (1.29 prints sorted keys, two-space indents, short volume syntax).</summary>
    private static async Task<Dictionary<string, string>> ComposeConfigAsync(params string[] files)
    {
        var (exitCode, output, errors) = await ComposeAsync(files, ApiKey);
        Assert.True(exitCode == 0, $"docker-compose config failed: {errors}");
        Assert.DoesNotContain("WARN", errors, StringComparison.OrdinalIgnoreCase);
        return ServiceBlocks(output);
    }

    private static async Task<(int ExitCode, string Output, string Errors)> ComposeAsync(string[] files, string? apiKey)
    {
        var ct = TestContext.Current.CancellationToken;
        var tool = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "docker-compose")).FirstOrDefault(File.Exists);
        if (tool is null) Assert.Skip("docker-compose is not installed (apt-get install docker-compose)");

        var info = new ProcessStartInfo(tool) { WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var file in files) info.ArgumentList.Add("-f" + file);
        info.ArgumentList.Add("config");
        // The defaults in the files are what is checked, not this machine's settings.
        foreach (var variable in new[] { "POSTGRES_PASSWORD", "SER_API_KEY", "COMPOSE_FILE", "COMPOSE_PROJECT_NAME" })
            info.Environment.Remove(variable);
        if (apiKey is not null) info.Environment["SER_API_KEY"] = apiKey;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await output, await errors);
    }

    private static Dictionary<string, string> ServiceBlocks(string yaml)
    {
        var blocks = new Dictionary<string, List<string>>();
        List<string>? current = null;
        var inServices = false;
        foreach (var line in yaml.Split('\n'))
        {
            if (line.Length > 0 && line[0] != ' ') { inServices = line.StartsWith("services:", StringComparison.Ordinal); current = null; }
            else if (inServices && line.StartsWith("  ", StringComparison.Ordinal) && line[2] != ' ') blocks[line.Trim().TrimEnd(':')] = current = [];
            else current?.Add(line.Trim());
        }
        return blocks.ToDictionary(b => b.Key, b => string.Join('\n', b.Value));
    }
}
