using System.Text.Json;

namespace Ser.Tests;

/// <summary>Watches a data folder's run checkpoints, for tests that stop a training at a known point.</summary>
internal static class RunCheckpoints
{
    /// <summary>The first run's last checkpoint (<c>state.json</c>) once it is at <paramref name="step"/> or later.</summary>
    public static async Task<string> WaitAsync(string data, int step, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (DateTime.UtcNow < deadline)
        {
            var runs = Path.Combine(data, "runs");
            var state = Directory.Exists(runs)
                ? Directory.GetDirectories(runs).Select(d => Path.Combine(d, "checkpoints", "last", "state.json")).FirstOrDefault(File.Exists)
                : null;
            if (state is not null && ReadStep(state) >= step) return state;
            await Task.Delay(100, ct);
        }
        throw new TimeoutException($"No checkpoint at step {step} within 5 minutes.");
    }

    // A checkpoint is renamed into place whole, but may be replaced between the existence check and the read.
    private static long ReadStep(string state)
    {
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(state));
            return json.RootElement.GetProperty("step").GetInt64();
        }
        catch (IOException)
        {
            return -1;
        }
    }
}
