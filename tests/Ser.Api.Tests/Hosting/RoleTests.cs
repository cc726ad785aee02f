using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Ser.Api.Hosting;

namespace Ser.Api.Tests.Hosting;

/// <summary><c>Ser:Role</c>: one binary, three jobs.</summary>
public sealed class RoleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(null, ServiceRole.All)]
    [InlineData("api", ServiceRole.Api)]
    [InlineData("Worker", ServiceRole.Worker)]
    [InlineData("all", ServiceRole.All)]
    public void Roles_are_read_case_insensitively_with_all_as_the_default(string? value, ServiceRole expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Ser:Role"] = value }).Build();
        Assert.Equal(expected, ServiceRoles.Read(configuration));
    }

    [Theory]
    [InlineData("trainer")]
    [InlineData("2")]
    public void An_unknown_role_stops_the_start_with_a_message_naming_the_choices(string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Ser:Role"] = value }).Build();
        var error = Assert.Throws<InvalidOperationException>(() => ServiceRoles.Read(configuration));
        Assert.Contains("api, worker or all", error.Message, StringComparison.Ordinal);
        Assert.Contains("Ser__Role", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_worker_is_ready_without_models_and_serves_only_health_and_metrics()
    {
        using var factory = new SerApiFactory();
        factory.Settings["Ser:Role"] = "worker";
        using var client = factory.CreateClient();

        var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready", (await ready.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/metrics", UriKind.Relative), Ct)).StatusCode);
        foreach (var path in new[] { "/models", "/jobs", "/metrics/runs" })
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri(path, UriKind.Relative), Ct)).StatusCode);
    }

    [Fact]
    public async Task An_api_process_takes_jobs_but_leaves_them_queued_for_a_worker()
    {
        using var factory = new SerApiFactory();
        factory.Settings["Ser:Role"] = "api";
        factory.UseSyntheticDataset(factory.DataPath);
        using var client = factory.CreateClient();

        var posted = await client.PostAsJsonAsync(new Uri("/jobs/train", UriKind.Relative), new { architecture = "resnet18", dataset = "synthetic" }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        await Task.Delay(2000, Ct);
        var job = await client.GetFromJsonAsync<JsonElement>(posted.Headers.Location!, Ct);
        Assert.Equal("queued", job.GetProperty("state").GetString());
        Assert.Equal("queued", job.GetProperty("runs")[0].GetProperty("state").GetString());
    }
}
