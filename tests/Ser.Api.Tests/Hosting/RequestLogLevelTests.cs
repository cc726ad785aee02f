using System.Net;
using Ser.Api.Tests.Wav;

namespace Ser.Api.Tests.Hosting;

/// <summary>A 503 the service gives on purpose (no model loaded yet) is logged as a warning, not an error: operators
/// polling during start-up should not see ERR lines every few seconds.</summary>
public sealed class RequestLogLevelTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-loglevel-").FullName;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task A_503_without_a_model_is_logged_at_warning_not_error()
    {
        using var api = new ApiProcess(Path.Combine(_temp, "data"));
        await api.WaitUntilLiveAsync(Ct);

        using var form = new MultipartFormDataContent { { new ByteArrayContent(TestWav.Tone(1.0)), "file", "clip.wav" } };
        var response = await api.Http.PostAsync(new Uri("/classify", UriKind.Relative), form, Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);

        static bool IsLine(string l) => l.Contains("HTTP POST /classify responded 503", StringComparison.Ordinal);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!api.Output.Any(IsLine) && DateTime.UtcNow < deadline) await Task.Delay(100, Ct);
        var line = Assert.Single(api.Output, IsLine);
        Assert.Contains(" WRN]", line, StringComparison.Ordinal);
    }
}
