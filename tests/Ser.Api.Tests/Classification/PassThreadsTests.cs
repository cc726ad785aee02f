using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Ser.Api.Classification;
using Ser.Api.Models;
using Ser.Api.Tests.Models;
using Ser.Api.Tests.Wav;
using static TorchSharp.torch;

namespace Ser.Api.Tests.Classification;

/// <summary>Issue 15: each architecture's forward passes run on their share of libtorch's threads.</summary>
public sealed class PassThreadsTests(ServedModelsFixture models) : IClassFixture<ServedModelsFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Scripted models for both architectures, each recording its passes' threads, with these pass costs.
    private static SerApiFactory Scripted(ConcurrentBag<ScriptedClassifier> classifiers, Func<string, PassCost?>? cost = null)
    {
        var factory = new SerApiFactory();
        factory.ServeScriptedModels(a =>
        {
            var classifier = new ScriptedClassifier(a);
            classifiers.Add(classifier);
            return classifier;
        }, cost);
        return factory;
    }

    private static async Task ClassifyAsync(SerApiFactory factory, params string[] paths)
    {
        using var client = factory.CreateClient();
        foreach (var path in paths)
        {
            using var content = new ByteArrayContent(TestWav.Tone(seconds: 1.0));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("audio/wav");
            using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private static List<int> Seen(ConcurrentBag<ScriptedClassifier> classifiers, string architecture) =>
        classifiers.Where(c => c.Architecture == architecture).SelectMany(c => c.ThreadsSeen).ToList();

    [Fact]
    public async Task By_default_a_far_costlier_model_takes_every_thread_and_the_other_one()
    {
        var threads = get_num_threads();
        if (threads < 2) Assert.Skip("One libtorch thread: nothing to share.");
        var classifiers = new ConcurrentBag<ScriptedClassifier>();
        using var factory = Scripted(classifiers, a => a == "wav2vec2"
            ? new PassCost(TimeSpan.FromMilliseconds(900), TimeSpan.FromMilliseconds(1000.0 / threads), threads) // 0.9 x threads faster
            : new PassCost(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10), threads));
        await factory.WaitUntilReadyAsync(Ct);

        await ClassifyAsync(factory, "/classify", "/classify?models=wav2vec2");

        using var client = factory.CreateClient();
        var listed = (await client.GetFromJsonAsync<JsonElement>(new Uri("/models", UriKind.Relative), Ct)).GetProperty("loaded")
            .EnumerateArray().ToDictionary(m => m.GetProperty("architecture").GetString()!, m => m.GetProperty("pass"));

        var (wav2vec2, resnet18) = (Seen(classifiers, "wav2vec2"), Seen(classifiers, "resnet18"));
        Assert.Equal([threads, threads], wav2vec2); // fixed while the served models are
        Assert.Equal([1], resnet18);
        Assert.Equal(threads, listed["wav2vec2"].GetProperty("threads").GetInt32());
        Assert.Equal(900, listed["wav2vec2"].GetProperty("oneThreadMs").GetDouble());
        Assert.Equal(1, listed["resnet18"].GetProperty("threads").GetInt32());
    }

    [Fact]
    public async Task An_idle_loop_runs_the_other_models_waiting_pass_on_its_share()
    {
        using var gate = new ForwardGate();
        var classifiers = new ConcurrentBag<ScriptedClassifier>();
        using var factory = new SerApiFactory();
        factory.ServeScriptedModels(a =>
        {
            // The models arrive after the batcher's loops have started and gone idle, as where models load slowly:
            // resnet18's loop must see that it may help without a request of its own waking it.
            Thread.Sleep(200);
            var classifier = new ScriptedClassifier(a) { Gate = a == "wav2vec2" ? gate : null };
            classifiers.Add(classifier);
            return classifier;
        });
        await factory.WaitUntilReadyAsync(Ct);
        var share = Math.Max(1, get_num_threads() / 2); // unmeasured models share evenly
        using var client = factory.CreateClient();
        Task<HttpResponseMessage> Classify()
        {
            var content = new ByteArrayContent(TestWav.Tone(seconds: 1.0));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("audio/wav");
            return client.PostAsync(new Uri("/classify?models=wav2vec2", UriKind.Relative), content, Ct);
        }

        var first = Classify();
        await gate.Entered.WaitAsync(Ct); // wav2vec2's own loop is held inside its pass
        var second = Classify();
        // Only resnet18's loop, with nothing of its own, can start the second pass while the first is held. Not a timing
        // check: without that loop's help the second pass never starts before the gate opens.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Seen(classifiers, "wav2vec2").Count < 2 && DateTime.UtcNow < deadline) await Task.Delay(10, Ct);
        var started = Seen(classifiers, "wav2vec2").Count;
        gate.Open();
        using var firstResponse = await first;
        using var secondResponse = await second;

        Assert.Equal(2, started);
        Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, secondResponse.StatusCode);
        Assert.Equal([share, share], Seen(classifiers, "wav2vec2"));
        Assert.Empty(Seen(classifiers, "resnet18"));
    }

    [Fact]
    public async Task A_model_served_alone_runs_on_every_thread()
    {
        var classifiers = new ConcurrentBag<ScriptedClassifier>();
        using var factory = Scripted(classifiers, _ => new PassCost(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50), get_num_threads()));
        factory.Settings.Remove("Ser:Models:resnet18:Path");
        await factory.Services.GetRequiredService<ModelHost>().Started.WaitAsync(Ct); // never "ready": no resnet18

        await ClassifyAsync(factory, "/classify?models=wav2vec2");

        Assert.Equal([get_num_threads()], Seen(classifiers, "wav2vec2"));
    }

    [Fact]
    public async Task Loading_a_model_times_its_pass()
    {
        using var factory = new SerApiFactory();
        factory.Settings["Ser:Models:wav2vec2:Path"] = models.Wav2Vec2Path;
        factory.Settings["Ser:Models:resnet18:Path"] = models.ResNetPath;
        await factory.WaitUntilReadyAsync(Ct);

        var active = factory.Services.GetRequiredService<ModelHost>().Active;

        Assert.Equal(2, active.Count);
        Assert.All(active.Values, m =>
        {
            Assert.NotNull(m.PassCost);
            Assert.True(m.PassCost.OneThread > TimeSpan.Zero && m.PassCost.AllThreads > TimeSpan.Zero, $"{m.Architecture}: {m.PassCost}");
            Assert.Equal(get_num_threads(), m.PassCost.Threads);
        });
    }

    [Fact]
    public async Task A_model_on_configured_threads_is_not_timed_on_other_counts()
    {
        using var factory = new SerApiFactory();
        factory.Settings["Ser:Models:wav2vec2:Path"] = models.Wav2Vec2Path;
        factory.Settings["Ser:Inference:PassThreads"] = "7";
        await factory.Services.GetRequiredService<ModelHost>().Started.WaitAsync(Ct); // never "ready": no resnet18

        var model = Assert.Single(factory.Services.GetRequiredService<ModelHost>().Active.Values);
        Assert.Null(model.PassCost);
        using var client = factory.CreateClient();
        using var loaded = JsonDocument.Parse(await client.GetStringAsync(new Uri("/models", UriKind.Relative), Ct));
        var pass = loaded.RootElement.GetProperty("loaded")[0].GetProperty("pass");
        Assert.Equal(7, pass.GetProperty("threads").GetInt32());
        Assert.Equal(JsonValueKind.Null, pass.GetProperty("oneThreadMs").ValueKind);
    }

    [Fact]
    public async Task Every_forward_pass_runs_on_the_configured_threads()
    {
        var classifiers = new ConcurrentBag<ScriptedClassifier>();
        using var factory = Scripted(classifiers, a => new PassCost(TimeSpan.FromMilliseconds(a == "wav2vec2" ? 900 : 10), TimeSpan.FromMilliseconds(1), 8));
        factory.Settings["Ser:Inference:PassThreads"] = "3";
        await factory.WaitUntilReadyAsync(Ct);

        await ClassifyAsync(factory, "/classify", "/classify", "/classify");

        var seen = classifiers.SelectMany(c => c.ThreadsSeen).ToList();
        Assert.Equal(6, seen.Count); // 3 requests × 2 models
        Assert.All(seen, threads => Assert.Equal(3, threads));
    }

    [Fact]
    public void Models_warm_up_on_an_even_share_of_libtorchs_threads()
    {
        var threads = get_num_threads();

        var perPass = new InferenceOptions().ThreadsPerPass();

        Assert.InRange(perPass, 1, Math.Max(1, threads / 2));
        Assert.True(threads < 4 || perPass > 1, $"{perPass} of {threads} threads");
        Assert.Equal(5, new InferenceOptions { PassThreads = 5 }.ThreadsPerPass());
    }

    [Fact]
    public void Models_warm_up_on_every_thread_count_their_passes_may_take()
    {
        var threads = get_num_threads();

        var counts = new InferenceOptions().WarmUpThreads(threads);

        Assert.Equal(new[] { Math.Max(1, threads / 2), 1, threads }.Distinct(), counts);
        Assert.Equal([5], new InferenceOptions { PassThreads = 5 }.WarmUpThreads(threads));
    }

    [Fact]
    public async Task A_served_model_has_measured_its_forms_on_one_thread_and_on_all()
    {
        using var factory = new SerApiFactory();
        factory.Settings["Ser:Models:wav2vec2:Path"] = models.Wav2Vec2Path;
        await factory.Services.GetRequiredService<ModelHost>().Started.WaitAsync(Ct); // never "ready": no resnet18

        var threads = get_num_threads();
        var encoder = Ser.Core.Runtime.MeasuredChoice.Made.Keys.Where(k => k.StartsWith("wav2vec2 feature encoder", StringComparison.Ordinal)).ToList();

        Assert.Contains(encoder, k => k.EndsWith("[1 threads]", StringComparison.Ordinal));
        Assert.Contains(encoder, k => k.EndsWith($"[{threads} threads]", StringComparison.Ordinal));
    }
}
