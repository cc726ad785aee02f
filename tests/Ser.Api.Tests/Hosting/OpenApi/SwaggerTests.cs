using System.Net;
using System.Text.Json;

namespace Ser.Api.Tests.Hosting.OpenApi;

public sealed class SwaggerTests : IClassFixture<SerApiFactory>
{
    private readonly SerApiFactory _factory;

    public SwaggerTests(SerApiFactory factory) => _factory = factory;

    [Fact]
    public async Task The_openapi_document_lists_the_health_endpoints_with_summaries()
    {
        using var client = _factory.CreateClient();

        var json = await client.GetStringAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative), TestContext.Current.CancellationToken);
        using var doc = JsonDocument.Parse(json);
        var paths = doc.RootElement.GetProperty("paths");

        foreach (var path in new[] { "/health/live", "/health/ready" })
            Assert.False(string.IsNullOrEmpty(paths.GetProperty(path).GetProperty("get").GetProperty("summary").GetString()), path);
    }

    [Fact]
    public async Task Every_endpoint_has_a_summary_and_classify_takes_a_file_with_its_errors_documented()
    {
        using var client = _factory.CreateClient();

        using var doc = JsonDocument.Parse(await client.GetStringAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative), TestContext.Current.CancellationToken));
        var paths = doc.RootElement.GetProperty("paths");

        foreach (var path in paths.EnumerateObject())
            foreach (var operation in path.Value.EnumerateObject())
                Assert.False(string.IsNullOrEmpty(operation.Value.GetProperty("summary").GetString()), $"{operation.Name} {path.Name}");
        foreach (var path in new[] { "/classify", "/classify/batch", "/models", "/models/{architecture}/activate", "/jobs/train", "/jobs/evaluate",
                     "/jobs/{id}", "/jobs", "/metrics/runs", "/metrics/runs/{id}", "/metrics/compare" })
            Assert.True(paths.TryGetProperty(path, out _), path);
        var classify = paths.GetProperty("/classify").GetProperty("post");
        var form = classify.GetProperty("requestBody").GetProperty("content").GetProperty("multipart/form-data").GetProperty("schema");
        Assert.Equal("binary", form.GetProperty("properties").GetProperty("file").GetProperty("format").GetString());
        Assert.True(classify.GetProperty("requestBody").GetProperty("content").TryGetProperty("audio/wav", out _));
        foreach (var status in new[] { "200", "400", "413", "415", "503" })
            Assert.True(classify.GetProperty("responses").TryGetProperty(status, out _), status);
        Assert.True(classify.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").TryGetProperty("example", out _));
    }

    [Fact]
    public async Task Swagger_ui_loads()
    {
        using var client = _factory.CreateClient();

        var response = await client.GetAsync(new Uri("/swagger/index.html", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger-ui", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }
}
