using System.Diagnostics;
using Ser.Training.Runs;
using SkiaSharp;

namespace Ser.Api.Tests.Metrics.Dashboard;

/// <summary>The dashboard served by a real Ser process, opened in headless Chromium (Debian's chromium package),
/// screenshot checked for both models' bars.</summary>
public sealed class DashboardScreenshotTests : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-dash-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task The_dashboard_shows_both_models_figures_in_a_real_browser()
    {
        if (!File.Exists(Chromium)) Assert.Skip("Debian's chromium is not installed (apt-get install chromium); .ci/run installs it.");
        var ct = TestContext.Current.CancellationToken;
        var data = Path.Combine(_temp, "data");
        var store = new RunStore(Path.Combine(data, "runs"));
        var registry = new RunRegistry(Path.Combine(data, "registry.db"));
        var a = FakeRuns.Add(store, registry, "wav2vec2", 1, c => c.Label);
        var b = FakeRuns.Add(store, registry, "resnet18", 1, c => c.Label % 3 == 0 ? 0 : c.Label);
        using var api = new ApiProcess(data);
        var screenshot = Path.Combine(_temp, "dashboard.png");
        await api.WaitUntilLiveAsync(ct);
        var page = $"{api.Url}/dashboard?runs={a},{b}";
        await RunChromium(ct, "--window-size=1100,1400", $"--screenshot={screenshot}", page);
        var dom = await RunChromium(ct, "--dump-dom", page);

        Assert.Contains(a, dom, StringComparison.Ordinal);
        Assert.Contains(b, dom, StringComparison.Ordinal);
        Assert.Contains("Per-class F1", dom, StringComparison.Ordinal);
        using var image = SKBitmap.Decode(screenshot);
        Assert.NotNull(image);
        // The two series' colours (#1f77b4, #ff7f0e): both models' bars must be drawn.
        Assert.True(Count(image, 0x1f, 0x77, 0xb4) > 1500, "no wav2vec2 bars in the screenshot");
        Assert.True(Count(image, 0xff, 0x7f, 0x0e) > 1500, "no resnet18 bars in the screenshot");
    }

    private static int Count(SKBitmap image, byte r, byte g, byte b)
    {
        var count = 0;
        for (var y = 0; y < image.Height; y++)
            for (var x = 0; x < image.Width; x++)
            {
                var p = image.GetPixel(x, y);
                if (Math.Abs(p.Red - r) < 8 && Math.Abs(p.Green - g) < 8 && Math.Abs(p.Blue - b) < 8) count++;
            }
        return count;
    }

    private async Task<string> RunChromium(CancellationToken ct, params string[] args)
    {
        var info = new ProcessStartInfo(Chromium) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var flag in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", $"--user-data-dir={Path.Combine(_temp, "profile")}" })
            info.ArgumentList.Add(flag);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        _ = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return await output;
    }
}
