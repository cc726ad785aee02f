using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ser.Tests;

namespace Ser.Api.Tests.Jobs;

/// <summary>actor-kfold without a fold: one job per fold on the synthetic corpus, gathered as mean ± sd and paired per fold.</summary>
[Collection(nameof(JobsEndpointsTests))]
public sealed class CrossValidationJobsTests : SerApiTest, IClassFixture<SyntheticDatasetFixture>
{
    public CrossValidationJobsTests(SyntheticDatasetFixture dataset) : base(f => f.UseSyntheticDataset(dataset.Root))
    {
    }

    private Task<JsonElement> Get(string path) => Client.GetFromJsonAsync<JsonElement>(new Uri(path, UriKind.Relative), Ct);

    [Fact]
    public async Task Every_fold_trains_as_its_own_job_and_the_report_gives_mean_sd_and_paired_folds()
    {
        using var slot = await TrainingSlot.AcquireAsync(Ct);
        var started = await Client.PostAsJsonAsync(new Uri("/jobs/train", UriKind.Relative), new
        {
            architecture = "both", dataset = "synthetic", split = new { strategy = "actor-kfold", folds = 3, seed = 5 },
            hyperParameters = new { epochs = 1, batchSize = 8 },
        }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var first = await started.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var cv = first.GetProperty("crossValidation");
        var jobs = cv.GetProperty("jobs").EnumerateArray().Select(j => j.GetString()!).ToArray();
        Assert.Equal(3, jobs.Length);
        Assert.Equal((0, 3, jobs[0]), (cv.GetProperty("fold").GetInt32(), cv.GetProperty("folds").GetInt32(), first.GetProperty("id").GetString()));
        var results = cv.GetProperty("results").GetString()!;

        var testActors = new List<string>();
        for (var fold = 0; fold < 3; fold++)
        {
            var job = await WaitAsync(jobs[fold]);
            Assert.Equal("succeeded", job.GetProperty("state").GetString());
            Assert.Equal(fold, job.GetProperty("crossValidation").GetProperty("fold").GetInt32());
            Assert.Equal(fold, job.GetProperty("request").GetProperty("split").GetProperty("fold").GetInt32());
            var runs = job.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("runId").GetString()!).ToArray();
            Assert.Equal(2, runs.Length);
            var split = JsonDocument.Parse(File.ReadAllText(Path.Combine(Factory.DataPath, "runs", runs[0], "split.json"))).RootElement;
            Assert.Equal(fold, split.GetProperty("fold").GetInt32());
            testActors.AddRange(split.GetProperty("test").GetProperty("speakers").EnumerateArray().Select(s => s.GetString()!));
        }
        Assert.Equal(6, testActors.Distinct().Count()); // every actor is tested exactly once
        Assert.Equal(6, testActors.Count);

        var report = await Get(results);
        Assert.Equal("succeeded", report.GetProperty("state").GetString());
        foreach (var architecture in report.GetProperty("architectures").EnumerateArray())
        {
            var ua = architecture.GetProperty("ua");
            Assert.Equal(3, ua.GetProperty("folds").GetInt32());
            var perFold = report.GetProperty("perFold").EnumerateArray().Select(f => f.GetProperty("runs").EnumerateArray()
                .Single(r => r.GetProperty("architecture").GetString() == architecture.GetProperty("architecture").GetString()).GetProperty("ua").GetDouble()).ToArray();
            Assert.Equal(perFold.Average(), ua.GetProperty("mean").GetDouble(), 5);
            Assert.True(ua.GetProperty("sd").GetDouble() >= 0);
        }
        var paired = report.GetProperty("paired");
        Assert.Equal(3, paired.GetProperty("uaDifference").GetProperty("folds").GetInt32());
        Assert.All(report.GetProperty("perFold").EnumerateArray(), f => Assert.InRange(f.GetProperty("mcnemar").GetProperty("pValue").GetDouble(), 0, 1));
        using var html = new HttpRequestMessage(HttpMethod.Get, new Uri(results, UriKind.Relative));
        html.Headers.Accept.ParseAdd("text/html");
        Assert.Contains("mean ± sd", await (await Client.SendAsync(html, Ct)).Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync(new Uri("/metrics/cross-validation/cv-nope", UriKind.Relative), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync(new Uri("/metrics/cross-validation/..%2F..%2Fetc", UriKind.Relative), Ct)).StatusCode);
    }

    [Fact]
    public async Task An_invalid_fold_count_is_refused_before_any_job_is_created()
    {
        var response = await Client.PostAsJsonAsync(new Uri("/jobs/train", UriKind.Relative), new
        {
            architecture = "resnet18", dataset = "synthetic", split = new { strategy = "actor-kfold", folds = 50 },
        }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("split.folds", out _));
        Assert.Equal(0, (await Get("/jobs")).GetProperty("items").GetArrayLength());
        Assert.False(Directory.Exists(Path.Combine(Factory.DataPath, "cross-validation")));
    }

    private async Task<JsonElement> WaitAsync(string jobId)
    {
        var deadline = DateTime.UtcNow.AddMinutes(15);
        while (true)
        {
            var job = await Get($"/jobs/{jobId}");
            if (job.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled") return job;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Job {jobId} still {job.GetProperty("state")}.");
            await Task.Delay(500, Ct);
        }
    }
}
