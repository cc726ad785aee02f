using System.Net;
using Hangfire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Ser.Api.Jobs;
using Ser.Api.Models;
using Ser.Api.Tests.Models;

namespace Ser.Api.Tests;

/// <summary>Hosts the real Program in memory, with its data under a temp folder owned by the test.</summary>
public class SerApiFactory : WebApplicationFactory<Program>
{
    public string DataPath { get; } = Directory.CreateTempSubdirectory("ser-api-").FullName;

    /// <summary>Extra configuration (e.g. model folders, limits) applied on top of the defaults.</summary>
    public Dictionary<string, string?> Settings { get; } = new();

    /// <summary>The caller's address as the service sees it (TestServer has none): loopback unless a test says otherwise;
    /// read on each request, so a test may change it between calls.</summary>
    public IPAddress? RemoteAddress { get; set; } = IPAddress.Loopback;

    /// <summary>Names the corpus at <paramref name="root"/> (synthetic, in CREMA-D's layout) as the dataset <c>synthetic</c>.</summary>
    public void UseSyntheticDataset(string root)
    {
        Settings["Ser:Datasets:synthetic:Path"] = root;
        Settings["Ser:Datasets:synthetic:Kind"] = "synthetic";
    }

    /// <summary>Serves scripted stand-in models for both architectures (answers without a network), for tests of what
    /// happens around classification rather than of the models; <paramref name="cost"/> gives each its pass cost.</summary>
    public void ServeScriptedModels(Func<string, Ser.Core.Models.IEmotionClassifier>? create = null, Func<string, Ser.Api.Models.PassCost?>? cost = null)
    {
        Settings["Ser:Models:wav2vec2:Path"] = "scripted";
        Settings["Ser:Models:resnet18:Path"] = "scripted";
        _services = services => services.AddSingleton<Ser.Api.Models.IModelLoader>(new ScriptedLoader(create ?? (a => new ScriptedClassifier(a)), cost));
    }

    private Action<IServiceCollection>? _services;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Ser:Auth:AllowNoKey", "true"); // not Development: without it a keyless host refuses to start
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new RemoteAddressFilter(this)));
        builder.UseSetting("Ser:DataPath", DataPath);
        builder.UseSetting("Ser:Bootstrap:Enabled", "false"); // the quick-start tests turn it on
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        if (_services is { } services) builder.ConfigureServices(services);
        // Jobs live in memory for the test (Hangfire.InMemory is a test-only package, never shipped with Ser.Api).
        builder.ConfigureTestServices(services => services.AddSingleton(new JobStorageSetup(config => config.UseInMemoryStorage())));
    }

    /// <summary>Waits until /health/ready answers 200 (models load in the background).</summary>
    public async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var client = CreateClient();
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while ((await client.GetAsync(new Uri("/health/ready", UriKind.Relative), cancellationToken)).StatusCode != System.Net.HttpStatusCode.OK)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The service did not become ready.");
            await Task.Delay(100, cancellationToken);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(DataPath)) Directory.Delete(DataPath, recursive: true);
    }

    private sealed class RemoteAddressFilter(SerApiFactory factory) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = factory.RemoteAddress;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
