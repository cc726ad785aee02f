using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Ser.Api.Tests.Hosting.Health;

/// <summary>/health/ready runs the registered health checks: a worker whose database does not answer is not ready
/// (it used to report ready unconditionally), and each check is listed by name.</summary>
public sealed class ReadinessChecksTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_worker_whose_database_does_not_answer_is_not_ready()
    {
        using var factory = new SerApiFactory();
        factory.Settings["Ser:Role"] = "worker";
        using var client = factory.CreateClient();

        var ready = await Ready(client);
        Assert.Equal(HttpStatusCode.OK, ready.Status);
        Assert.Equal("healthy", ready.Body.GetProperty("checks").GetProperty("storage").GetProperty("status").GetString());

        using (Lock(Path.Combine(factory.DataPath, "registry.db")))
        {
            var down = await Ready(client);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.Status);
            Assert.Equal("unavailable", down.Body.GetProperty("status").GetString());
            Assert.Equal("unhealthy", down.Body.GetProperty("checks").GetProperty("storage").GetProperty("status").GetString());
        }

        Assert.Equal(HttpStatusCode.OK, (await Ready(client)).Status);
    }

    [Fact]
    public async Task A_serving_process_without_models_is_starting_with_its_bootstrap_stage_and_checks()
    {
        using var factory = new SerApiFactory();
        using var client = factory.CreateClient();

        var starting = await Ready(client);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, starting.Status);
        Assert.Equal("starting", starting.Body.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(starting.Body.GetProperty("bootstrap").GetProperty("stage").GetString()));
        var checks = starting.Body.GetProperty("checks");
        Assert.Equal("unhealthy", checks.GetProperty("models").GetProperty("status").GetString());
        Assert.Equal("healthy", checks.GetProperty("storage").GetProperty("status").GetString());
        Assert.True(checks.TryGetProperty("hangfire-server", out _)); // the default role trains too
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> Ready(HttpClient client)
    {
        var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), Ct);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(Ct));
    }

    /// <summary>Another process holding the database in exclusive locking mode: not even readers get in.</summary>
    private static SqliteConnection Lock(string database)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS lock_probe (x INTEGER);";
        command.ExecuteNonQuery();
        return connection;
    }
}
