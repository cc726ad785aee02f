using System.Text.Json;
using System.Text.RegularExpressions;
using Ser.Tests;

namespace Ser.Api.Tests.Hosting.OpenApi;

/// <summary>The README's curl examples and src/Ser.Api/Ser.Api.http call operations the service has (checked against its
/// OpenAPI document), and between them cover classify, train, poll, activate and compare.</summary>
public sealed partial class HttpExamplesTests : IClassFixture<SerApiFactory>
{
    private static readonly string[] Covered = ["Classify", "TrainJob", "GetJob", "ActivateModel", "CompareRuns"];
    private readonly SerApiFactory _factory;

    public HttpExamplesTests(SerApiFactory factory) => _factory = factory;

    [Fact]
    public async Task The_http_file_calls_documented_operations_and_covers_the_main_calls()
    {
        var text = await File.ReadAllTextAsync(Path.Combine(TestPaths.RepositoryRoot, "src", "Ser.Api", "Ser.Api.http"), TestContext.Current.CancellationToken);
        var variables = Variable().Matches(text).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim(), StringComparer.Ordinal);
        Assert.Contains("host", variables.Keys);
        Assert.Contains("apiKey", variables.Keys);
        Assert.Contains("X-Api-Key: {{apiKey}}", text, StringComparison.Ordinal);

        var calls = HttpRequestLine().Matches(text).Select(m => (m.Groups[1].Value, Expand(m.Groups[2].Value, variables))).ToList();

        Assert.Superset(Covered.ToHashSet(), (await Operations(calls)).ToHashSet());
    }

    [Fact]
    public async Task The_readme_curl_examples_call_documented_operations_and_cover_the_main_calls()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(TestPaths.RepositoryRoot, "README.md"), TestContext.Current.CancellationToken);
        var start = readme.IndexOf("### Try it with curl", StringComparison.Ordinal);
        Assert.True(start >= 0, "README has no 'Try it with curl' section");
        var block = readme[start..readme.IndexOf("\n## ", start, StringComparison.Ordinal)];

        // Continuation lines joined, so each curl command is one line.
        var calls = string.Join('\n', block.Split('\n').Select(l => l.Trim())).Replace("\\\n", " ", StringComparison.Ordinal);
        var requests = calls.Split('\n').Where(l => l.StartsWith("curl", StringComparison.Ordinal)).Select(l =>
        {
            var path = CurlPath().Match(l).Groups[1].Value;
            var method = l.Contains(" -d ", StringComparison.Ordinal) || l.Contains("--data-binary", StringComparison.Ordinal) || l.Contains(" -F ", StringComparison.Ordinal) ? "POST" : "GET";
            return (method, path.Replace("…", "x1", StringComparison.Ordinal));
        }).ToList();

        Assert.Superset(Covered.ToHashSet(), (await Operations(requests)).ToHashSet());
    }

    // The operationId of each call; fails naming a call that matches no documented path and method.
    private async Task<List<string>> Operations(List<(string Method, string Url)> calls)
    {
        using var client = _factory.CreateClient();
        using var doc = JsonDocument.Parse(await client.GetStringAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative), TestContext.Current.CancellationToken));
        var operations = doc.RootElement.GetProperty("paths").EnumerateObject().SelectMany(p => p.Value.EnumerateObject().Select(o =>
            (Pattern: new Regex("^" + Regex.Replace(Regex.Escape(p.Name), @"\\\{[^/]+?}", "[^/]+") + "$"), Method: o.Name.ToUpperInvariant(),
                Id: o.Value.GetProperty("operationId").GetString()!))).ToList();
        Assert.NotEmpty(calls);
        return calls.Select(c =>
        {
            var path = new Uri(new Uri("http://h"), c.Url).AbsolutePath;
            var match = operations.FirstOrDefault(o => o.Method == c.Method && o.Pattern.IsMatch(path));
            Assert.True(match.Id is not null, $"{c.Method} {c.Url}: no such operation");
            return match.Id!;
        }).ToList();
    }

    private static string Expand(string url, Dictionary<string, string> variables) =>
        Regex.Replace(url, @"\{\{(\w+)}}", m => variables.GetValueOrDefault(m.Groups[1].Value, "x1")).Replace("http://localhost:5080", "", StringComparison.Ordinal);

    [GeneratedRegex(@"^@(\w+)\s*=\s*(.+)$", RegexOptions.Multiline)]
    private static partial Regex Variable();

    [GeneratedRegex(@"^(GET|POST|PUT|DELETE|PATCH) (\S+)", RegexOptions.Multiline)]
    private static partial Regex HttpRequestLine();

    [GeneratedRegex(@"\$H(/[^\s""']*)")]
    private static partial Regex CurlPath();
}
