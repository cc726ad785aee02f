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
    public void By_default_the_architectures_share_libtorchs_threads()
    {
        var threads = get_num_threads();

        var perPass = new InferenceOptions().ThreadsPerPass();

        Assert.InRange(perPass, 1, Math.Max(1, threads / 2));
        Assert.True(threads < 4 || perPass > 1, $"{perPass} of {threads} threads");
        Assert.Equal(5, new InferenceOptions { PassThreads = 5 }.ThreadsPerPass());
    }
}
