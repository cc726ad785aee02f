namespace Ser.Training.BaseCheckpoints;

/// <summary>Where the hub is and whether it may be used; <see cref="FromEnvironment"/> reads the variables
/// <c>huggingface_hub</c> reads.</summary>
/// <param name="Endpoint">The hub's root, e.g. <c>https://huggingface.co</c> or a mirror.</param>
/// <param name="Offline">Never touch the network.</param>
/// <param name="Token">Sent as <c>Authorization: Bearer</c> (private or gated repos).</param>
public sealed record HuggingFaceHubSettings(Uri Endpoint, bool Offline = false, string? Token = null)
{
    public static readonly Uri DefaultEndpoint = new("https://huggingface.co");

    /// <summary><c>HF_ENDPOINT</c> (else <see cref="DefaultEndpoint"/>), <c>HF_HUB_OFFLINE</c> (1, true, yes or on)
    /// and <c>HF_TOKEN</c>.</summary>
    public static HuggingFaceHubSettings FromEnvironment()
    {
        var endpoint = Environment.GetEnvironmentVariable("HF_ENDPOINT") is { Length: > 0 } e ? new Uri(e, UriKind.Absolute) : DefaultEndpoint;
        var offline = Environment.GetEnvironmentVariable("HF_HUB_OFFLINE")?.Trim().ToUpperInvariant() is "1" or "TRUE" or "YES" or "ON";
        var token = Environment.GetEnvironmentVariable("HF_TOKEN") is { Length: > 0 } t ? t.Trim() : null;
        return new HuggingFaceHubSettings(endpoint, offline, token);
    }

    /// <summary>Human-readable, without the token.</summary>
    public override string ToString() => $"{Endpoint}{(Offline ? " (offline)" : "")}";
}
