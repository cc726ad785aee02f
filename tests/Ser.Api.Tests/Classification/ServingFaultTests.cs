using System.Net;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Ser.Api.Hosting.Health;
using Ser.Api.Models;
using Ser.Training.Runs;
using Ser.Training.Storage;
using Ser.Api.Tests.Wav;
using Ser.Api.Tests.Models;

namespace Ser.Api.Tests.Classification;

/// <summary>Issue 12, faults 2 and 3: a forward pass out of memory, and an activation that fails after the load.</summary>
public sealed class ServingFaultTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_out_of_memory_pass_answers_503_and_the_batching_loop_keeps_serving()
    {
        using var factory = new SerApiFactory();
        factory.Settings["Ser:Models:wav2vec2:Path"] = "scripted";
        var loader = new ScriptedLoader(a => new ScriptedClassifier(a, OutOfMemory()));
        using var host = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IModelLoader>(loader)));
        using var client = host.CreateClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60)); // the old loop died: the second request waited for ever
        await WaitForModelAsync(client, timeout.Token);

        using var first = await client.PostAsync(new Uri("/classify?models=wav2vec2", UriKind.Relative), Clip(), timeout.Token);
        using var second = await client.PostAsync(new Uri("/classify?models=wav2vec2", UriKind.Relative), Clip(), timeout.Token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.NotNull(first.Headers.RetryAfter);
        Assert.Contains("out of memory", await first.Content.ReadAsStringAsync(timeout.Token), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
    }

    [Fact]
    public async Task An_activation_that_fails_after_loading_releases_the_model_it_loaded()
    {
        var folder = Directory.CreateTempSubdirectory("ser-activate-").FullName;
        try
        {
            var database = SqlDatabase.Sqlite(Path.Combine(folder, "registry.db"));
            var registry = new RunRegistry(database);
            var classifier = new ScriptedClassifier("wav2vec2");
            var loader = new ScriptedLoader(_ => classifier);
            using var host = new ModelHost(Options.Create(new ServingOptions { DataPath = folder }), loader, registry, new ServiceReadiness(),
                NullLogger<ModelHost>.Instance);
            database.Execute("DROP TABLE active"); // the registry write after the load fails

            await Assert.ThrowsAnyAsync<Exception>(() => host.ActivateAsync("r-20261201-000000-0001", Ct));

            Assert.Single(loader.Loaded);
            Assert.True(classifier.Disposed, "the loaded model was kept after the failed activation");
            Assert.Empty(host.Active);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

#pragma warning disable CA2201 // the runtime's own exception is what the batcher must survive
    private static OutOfMemoryException OutOfMemory() => new();
#pragma warning restore CA2201

    private static ByteArrayContent Clip()
    {
        var content = new ByteArrayContent(TestWav.Tone(seconds: 1.0));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("audio/wav");
        return content;
    }

    private static async Task WaitForModelAsync(HttpClient client, CancellationToken cancellationToken)
    {
        while (!(await client.GetStringAsync(new Uri("/models", UriKind.Relative), cancellationToken)).Contains("scripted", StringComparison.Ordinal))
            await Task.Delay(100, cancellationToken);
    }
}
