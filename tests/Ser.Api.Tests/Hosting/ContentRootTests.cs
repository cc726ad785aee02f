namespace Ser.Api.Tests.Hosting;

/// <summary>`cd / && dotnet /path/to/Ser.Api.dll`: appsettings.json is read from the application's folder, so the
/// Serilog console sink it configures logs the banner, whatever the working directory.</summary>
public sealed class ContentRootTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-cwd-").FullName;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task Started_from_another_folder_it_reads_its_appsettings_and_logs_the_banner()
    {
        var elsewhere = Directory.CreateDirectory(Path.Combine(_temp, "cwd")).FullName;
        using var api = new ApiProcess(Path.Combine(_temp, "data"), workingDirectory: elsewhere);

        await api.WaitUntilLiveAsync(Ct);
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!api.Output.Any(IsBanner) && DateTime.UtcNow < deadline) await Task.Delay(100, Ct);

        Assert.Contains(api.Output, IsBanner);
        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere)); // the data folder was given; nothing lands in the working directory
    }

    private static bool IsBanner(string line) => line.Contains("listening on", StringComparison.Ordinal) && line.Contains("/swagger", StringComparison.Ordinal);
}
