using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Ser.Api.Tests.Jobs;

/// <summary><c>Idempotency-Key</c> under a race: the key is a unique column, so parallel requests make one job and all
/// answer with it. Role api: the job is queued, never trained.</summary>
public sealed class IdempotencyTests : IDisposable
{
    private readonly SerApiFactory _factory = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public IdempotencyTests()
    {
        _factory.Settings["Ser:Role"] = "api";
        _factory.UseSyntheticDataset(_factory.DataPath);
    }

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Sixteen_parallel_requests_with_one_key_make_exactly_one_job_and_every_answer_names_it()
    {
        using var client = _factory.CreateClient();
        var key = Guid.NewGuid().ToString("N");
        using var start = new Barrier(16);
        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/jobs/train", UriKind.Relative))
            {
                Content = JsonContent.Create(new { architecture = "both", dataset = "synthetic" }),
            };
            request.Headers.Add("Idempotency-Key", key);
            start.SignalAndWait(Ct);
            return await client.SendAsync(request, Ct);
        }, Ct)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        var location = Assert.Single(responses.Select(r => r.Headers.Location!.ToString()).Distinct());
        foreach (var response in responses)
            Assert.Equal(location, "/jobs/" + (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString());
        var jobs = (await client.GetFromJsonAsync<JsonElement>(new Uri("/jobs", UriKind.Relative), Ct)).GetProperty("items").EnumerateArray().ToArray();
        var job = Assert.Single(jobs);
        Assert.Equal(2, job.GetProperty("runs").GetArrayLength());
        // The losers took their runs back: only the job's two remain.
        Assert.Equal(job.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("runId").GetString()!).Order(),
            Directory.GetDirectories(Path.Combine(_factory.DataPath, "runs")).Select(Path.GetFileName).Order());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri(location, UriKind.Relative), Ct)).StatusCode);
    }
}
