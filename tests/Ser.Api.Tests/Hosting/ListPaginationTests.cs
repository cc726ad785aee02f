using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Ser.Api.Jobs;
using Ser.Core.Data.Splits;
using Ser.Training.Loops;
using Ser.Training.Recipes;
using Ser.Training.Runs;

namespace Ser.Api.Tests.Hosting;

/// <summary><c>GET /jobs</c> and <c>GET /metrics/runs</c> hand out pages with an opaque cursor (API.md: items newest first, next).</summary>
public sealed class ListPaginationTests : SerApiTest
{
    [Fact]
    public async Task Jobs_come_in_pages_of_50_50_20_newest_first_then_next_is_null()
    {
        var jobs = Factory.Services.GetRequiredService<JobStore>();
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        var added = Enumerable.Range(0, 120).Select(i => new JobRecord(JobStore.NewId(), "train", i % 4 == 0 ? JobState.Running : JobState.Succeeded,
            start.AddMilliseconds(i / 3), JsonSerializer.SerializeToElement(new { }), [])).ToList();
        foreach (var job in added) Assert.True(jobs.TryAdd(job));

        var (sizes, ids) = await Walk("/jobs?limit=50");
        var (_, running) = await Walk("/jobs?state=running&limit=50");

        Assert.Equal([50, 50, 20], sizes);
        Assert.Equal(added.OrderByDescending(j => j.CreatedAt.ToUnixTimeMilliseconds()).ThenByDescending(j => j.Id, StringComparer.Ordinal).Select(j => j.Id), ids);
        Assert.Equal(added.Where(j => j.State == JobState.Running).Select(j => j.Id).Order(), running.Order());
    }

    [Fact]
    public async Task Runs_come_in_pages_with_a_cursor_too()
    {
        var registry = Factory.Services.GetRequiredService<RunRegistry>();
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        var ids = Enumerable.Range(0, 120).Select(i => $"r-page-{i:D4}").ToList();
        for (var i = 0; i < ids.Count; i++)
            registry.Add(new RunSpec(ids[i], "train", "resnet18", "resnet18-tiny", "synthetic", "synthetic", "/data", new SplitSpec(SplitStrategy.Actor, 7),
                ResNetRecipe.Defaults(new HyperParameters(), Ser.Core.Models.ModelPresets.ResNet18Tiny), null, null, "cpu", start.AddSeconds(i / 2)));

        var (sizes, seen) = await Walk("/metrics/runs?limit=50");

        Assert.Equal([50, 50, 20], sizes);
        Assert.Equal(Enumerable.Reverse(ids), seen);
    }

    [Theory]
    [InlineData("/jobs?limit=0", "limit")]
    [InlineData("/jobs?limit=501", "limit")]
    [InlineData("/jobs?cursor=not-a-cursor", "cursor")]
    [InlineData("/jobs?cursor=eA", "cursor")] // base64url of "x": no key and id
    [InlineData("/jobs?state=sleeping", "state")]
    [InlineData("/metrics/runs?limit=501", "limit")]
    [InlineData("/metrics/runs?cursor=MTIzCnItMQ", "cursor")] // "123\nr-1": a jobs key, not a run's time
    public async Task A_bad_limit_cursor_or_state_is_a_400_problem_naming_the_field(string path, string field)
    {
        var response = await Client.GetAsync(new Uri(path, UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    private async Task<(List<int> Sizes, List<string> Ids)> Walk(string first)
    {
        var (sizes, ids) = (new List<int>(), new List<string>());
        var path = first;
        while (true)
        {
            var page = await Client.GetFromJsonAsync<JsonElement>(new Uri(path, UriKind.Relative), Ct);
            var items = page.GetProperty("items").EnumerateArray().Select(i => (i.TryGetProperty("runId", out var r) ? r : i.GetProperty("id")).GetString()!).ToList();
            sizes.Add(items.Count);
            ids.AddRange(items);
            if (page.GetProperty("next").ValueKind == JsonValueKind.Null) return (sizes, ids);
            Assert.True(sizes.Count < 10, "the cursor does not advance");
            path = first + "&cursor=" + Uri.EscapeDataString(page.GetProperty("next").GetString()!);
        }
    }
}
