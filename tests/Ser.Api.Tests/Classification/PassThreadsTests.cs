using System.Collections.Concurrent;
using System.Net;
using Ser.Api.Classification;
using Ser.Api.Tests.Models;
using Ser.Api.Tests.Wav;
using static TorchSharp.torch;

namespace Ser.Api.Tests.Classification;

/// <summary>Issue 15: each architecture's forward passes run on their share of libtorch's threads.</summary>
public sealed class PassThreadsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_forward_pass_runs_on_the_configured_threads()
    {
        var classifiers = new ConcurrentBag<ScriptedClassifier>();
        using var factory = new SerApiFactory();
        factory.Settings["Ser:Inference:PassThreads"] = "3";
        factory.ServeScriptedModels(a =>
        {
            var classifier = new ScriptedClassifier(a);
            classifiers.Add(classifier);
            return classifier;
        });
        await factory.WaitUntilReadyAsync(Ct);
        using var client = factory.CreateClient();

        for (var i = 0; i < 3; i++)
        {
            using var content = new ByteArrayContent(TestWav.Tone(seconds: 1.0));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("audio/wav");
            using var response = await client.PostAsync(new Uri("/classify", UriKind.Relative), content, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var seen = classifiers.SelectMany(c => c.ThreadsSeen).ToList();
        Assert.Equal(6, seen.Count); // 3 requests × 2 models
        Assert.All(seen, threads => Assert.Equal(3, threads));
    }

    [Fact]
    public async Task Each_architecture_runs_its_passes_on_a_thread_of_its_own()
    {
        var classifiers = new ConcurrentBag<ScriptedClassifier>();
        using var factory = new SerApiFactory();
        factory.ServeScriptedModels(a =>
        {
            var classifier = new ScriptedClassifier(a);
            classifiers.Add(classifier);
            return classifier;
        });
        await factory.WaitUntilReadyAsync(Ct);
        using var client = factory.CreateClient();

        // At once, so that pool threads would take turns at the passes if the batcher ran them there.
        await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
        {
            using var content = new ByteArrayContent(TestWav.Tone(seconds: 1.0));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("audio/wav");
            using var response = await client.PostAsync(new Uri("/classify", UriKind.Relative), content, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }));

        var callers = classifiers.GroupBy(c => c.Architecture).ToDictionary(g => g.Key, g => g.SelectMany(c => c.CallersSeen).Distinct().ToList());
        Assert.Equal(2, callers.Count);
        foreach (var (architecture, threads) in callers)
            Assert.Equal([InferenceBatcher.LoopThreadName(architecture)], threads.Select(t => t.Name));
        Assert.NotEqual(callers["wav2vec2"].Single().Id, callers["resnet18"].Single().Id);
    }

    [Fact]
    public void A_loop_threads_name_fits_what_linux_keeps()
    {
        Assert.Equal("infer resnet18", InferenceBatcher.LoopThreadName("resnet18"));
        Assert.Equal("infer wav2vec2", InferenceBatcher.LoopThreadName("wav2vec2"));
        Assert.Equal("infer a-much-lo", InferenceBatcher.LoopThreadName("a-much-longer-name"));
    }

    [Fact]
    public void By_default_the_architectures_share_libtorchs_threads()
    {
        var threads = get_num_threads();

        var perPass = new InferenceOptions().ThreadsPerPass();

        Assert.InRange(perPass, 1, Math.Max(1, threads / 2));
        Assert.True(threads < 4 || perPass > 1, $"{perPass} of {threads} threads");
        Assert.Equal(5, new InferenceOptions { PassThreads = 5 }.ThreadsPerPass());
    }
}
