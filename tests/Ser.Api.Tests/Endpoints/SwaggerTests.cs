using System.Net;
using System.Text.Json;

namespace Ser.Api.Tests.Endpoints;

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
    public async Task Swagger_ui_loads()
    {
        using var client = _factory.CreateClient();

        var response = await client.GetAsync(new Uri("/swagger/index.html", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger-ui", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }
}
