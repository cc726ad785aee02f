namespace Ser.Api.Classification;

/// <summary>Cuts a long clip into windows of <c>WindowSeconds</c> with hop <c>HopSeconds</c>, the last aligned to the end;
/// a clip no longer than one window is a single window.</summary>
public static class AudioWindows
{
    public static IReadOnlyList<(int Start, int Length)> Cut(int samples, int window, int hop)
    {
        if (samples <= window) return [(0, samples)];
        var result = new List<(int, int)>();
        for (var start = 0; start + window < samples; start += hop) result.Add((start, window));
        result.Add((samples - window, window));
        return result;
    }
}
