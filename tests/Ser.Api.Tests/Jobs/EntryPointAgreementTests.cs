using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Ser.Core.Data.Synthetic;
using Ser.Training.Cli;
using Ser.Training.Runs;
using Ser.Tests;

namespace Ser.Api.Tests.Jobs;

/// <summary>The same training request through <c>POST /jobs/train</c> and through <c>ser-train train</c> plans the same
/// runs (both go through RunPlanner) and, on the tiny presets, trains bit-identical models.</summary>
[Collection(nameof(EntryPointAgreementTests))]
[CollectionDefinition(nameof(EntryPointAgreementTests), DisableParallelization = true)]
public sealed class EntryPointAgreementTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-agree-").FullName;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task The_full_presets_get_the_same_specs_and_pretrained_base_checkpoints_from_both_entry_points()
    {
        var corpus = Directory.CreateDirectory(Path.Combine(_temp, "corpus")).FullName;
        using var factory = new SerApiFactory();
        factory.Settings["Ser:Role"] = "api"; // the HTTP side only plans: nothing trains in-process
        factory.Settings["Ser:Datasets:crema-d:Path"] = corpus;
        using var client = factory.CreateClient();
        var http = await PostAsync(client, factory, new { architecture = "both", dataset = "crema-d", name = "same", split = new { seed = 9 } });

        // The CLI's runs start training at once: stand-in checkpoint folders (no download) and an empty corpus make the
        // first one stop right after the specs are written.
        var data = Path.Combine(_temp, "cli");
        foreach (var name in new[] { "wav2vec2-base", "resnet18" })
            File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(data, "models", name)).FullName, "model.safetensors"), "");
        var (code, error) = await CliAsync("--architecture", "both", "--dataset-path", corpus, "--dataset", "crema-d", "--data", data,
            "--name", "same", "--seed", "9");
        Assert.NotEqual(ExitCodes.Usage, code);
        var cli = Specs(new RunStore(Path.Combine(data, "runs")));

        Assert.True(cli.Length == 2, error);
        Assert.Equal(Normalized(http, Path.Combine(factory.DataPath, "models")), Normalized(cli, Path.Combine(data, "models")));
        Assert.Equal(["wav2vec2-base", "resnet18"], Normalized(cli, Path.Combine(data, "models")).Select(s => s.BaseCheckpoint));
    }

    [Fact]
    public async Task None_trains_a_full_preset_from_random_weights_through_either_entry_point()
    {
        var corpus = Directory.CreateDirectory(Path.Combine(_temp, "corpus")).FullName;
        using var factory = new SerApiFactory();
        factory.Settings["Ser:Role"] = "api";
        factory.Settings["Ser:Datasets:crema-d:Path"] = corpus;
        using var client = factory.CreateClient();

        var http = await PostAsync(client, factory, new { architecture = "resnet18", dataset = "crema-d", baseCheckpoint = "none" });
        var data = Path.Combine(_temp, "cli");
        await CliAsync("--architecture", "resnet18", "--dataset-path", corpus, "--data", data, "--base-checkpoint", "none");
        var cli = Specs(new RunStore(Path.Combine(data, "runs")));

        Assert.Equal(("resnet18", null), (http.Single().Preset, http.Single().BaseCheckpoint));
        Assert.Equal(("resnet18", null), (cli.Single().Preset, cli.Single().BaseCheckpoint));
    }

    [Fact]
    public async Task The_tiny_presets_train_to_bit_identical_models_through_http_and_the_cli()
    {
        using var slot = await TrainingSlot.AcquireAsync(Ct);
        var corpus = Path.Combine(_temp, "synthetic");
        SyntheticCorpusGenerator.Generate(corpus, new SyntheticCorpusOptions { Actors = 6, Sentences = 1, Seed = 4 }, Ct);
        using var factory = new SerApiFactory();
        factory.UseSyntheticDataset(corpus);
        using var client = factory.CreateClient();
        var response = await client.PostAsJsonAsync(new Uri("/jobs/train", UriKind.Relative),
            new { architecture = "both", dataset = "synthetic", hyperParameters = new { epochs = 1, batchSize = 4 } }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = await WaitForJobAsync(client, response.Headers.Location!.ToString());
        Assert.True(job.GetProperty("state").GetString() == "succeeded", job.ToString());
        var apiStore = factory.Services.GetRequiredService<RunStore>();
        var http = Specs(apiStore);

        var data = Path.Combine(_temp, "cli");
        var (code, error) = await CliAsync("--architecture", "both", "--dataset-path", corpus, "--dataset-kind", "synthetic",
            "--dataset", "synthetic", "--data", data, "--epochs", "1", "--batch-size", "4");
        Assert.True(code == ExitCodes.Success, error);
        var cliStore = new RunStore(Path.Combine(data, "runs"));
        var cli = Specs(cliStore);

        Assert.Equal(["wav2vec2-tiny", "resnet18-tiny"], cli.Select(s => s.Preset));
        Assert.Equal(Normalized(http, null), Normalized(cli, null));
        for (var i = 0; i < 2; i++) AssertSameFiles(apiStore.Model(http[i].RunId), cliStore.Model(cli[i].RunId));
        Assert.True(Directory.Exists(RunSequence.ReportFolder(factory.DataPath, [.. http.Select(s => s.RunId)])));
        Assert.True(Directory.Exists(RunSequence.ReportFolder(data, [.. cli.Select(s => s.RunId)])));
    }

    private static void AssertSameFiles(string expected, string actual)
    {
        string[] Files(string folder) =>
            [.. Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f)).Order(StringComparer.Ordinal)];
        var names = Files(expected);
        Assert.Contains(names, n => n.EndsWith(".safetensors", StringComparison.Ordinal));
        Assert.Equal(names, Files(actual));
        foreach (var name in names)
            Assert.True(File.ReadAllBytes(Path.Combine(expected, name)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, name))),
                $"{name} differs between {expected} and {actual}");
    }

    private static async Task<RunSpec[]> PostAsync(HttpClient client, SerApiFactory factory, object body)
    {
        var response = await client.PostAsJsonAsync(new Uri("/jobs/train", UriKind.Relative), body, Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var store = factory.Services.GetRequiredService<RunStore>();
        return [.. job.GetProperty("runs").EnumerateArray().Select(r => store.ReadSpec(r.GetProperty("runId").GetString()!))];
    }

    private static async Task<(int Code, string Error)> CliAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await SerTrainCommand.RunAsync(["train", .. args], output, error, cancellationToken: Ct);
        return (code, error.ToString());
    }

    // In creation order, which is the architecture order of the request.
    private static RunSpec[] Specs(RunStore store) =>
        [.. Directory.GetDirectories(store.Root).Select(d => store.ReadSpec(Path.GetFileName(d))).OrderBy(s => s.CreatedAt).ThenBy(s => s.Architecture == "resnet18")];

    // What may differ between two requests: ids, times, and where each entry point's data folder is.
    private static RunSpec[] Normalized(IEnumerable<RunSpec> specs, string? models) =>
        [.. specs.Select(s => s with
        {
            RunId = "", CreatedAt = default,
            BaseCheckpoint = s.BaseCheckpoint is { } b && models is not null ? Path.GetRelativePath(models, b) : s.BaseCheckpoint,
        })];

    private static async Task<JsonElement> WaitForJobAsync(HttpClient client, string location)
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            var job = await client.GetFromJsonAsync<JsonElement>(new Uri(location, UriKind.Relative), Ct);
            if (job.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled") return job;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Job still {job.GetProperty("state")}: {job}");
            await Task.Delay(250, Ct);
        }
    }
}
