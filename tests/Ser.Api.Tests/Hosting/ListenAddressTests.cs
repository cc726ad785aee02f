namespace Ser.Api.Tests.Hosting;

/// <summary>The .NET conventions for where Kestrel listens are honoured: nothing in appsettings.json outranks
/// ASPNETCORE_URLS or ASPNETCORE_HTTP_PORTS (the development port lives in launchSettings.json).</summary>
public sealed class ListenAddressTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-listen-").FullName;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task ASPNETCORE_URLS_is_honoured()
    {
        using var api = ApiProcess.ListeningBy(Path.Combine(_temp, "data"),
            port => new Dictionary<string, string> { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}", ["ASPNETCORE_HTTP_PORTS"] = "" });

        await api.WaitUntilLiveAsync(Ct);
    }

    [Fact]
    public async Task ASPNETCORE_HTTP_PORTS_is_honoured()
    {
        using var api = ApiProcess.ListeningBy(Path.Combine(_temp, "data"),
            port => new Dictionary<string, string> { ["ASPNETCORE_HTTP_PORTS"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture), ["ASPNETCORE_URLS"] = "" });

        await api.WaitUntilLiveAsync(Ct);
    }

    [Fact]
    public void The_development_port_is_in_the_launch_profile_not_in_appsettings()
    {
        var api = Path.Combine(Ser.Tests.TestPaths.RepositoryRoot, "src", "Ser.Api");

        Assert.DoesNotContain("\"Urls\"", File.ReadAllText(Path.Combine(api, "appsettings.json")), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\"applicationUrl\": \"http://localhost:5080\"", File.ReadAllText(Path.Combine(api, "Properties", "launchSettings.json")), StringComparison.Ordinal);
    }
}
