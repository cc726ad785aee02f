namespace Ser.Api.Hosting.Security;

/// <summary><c>Ser:Auth</c>: who may change state and open /hangfire and /dashboard (API.md, Security and privacy).</summary>
public sealed class AuthOptions
{
    public const string Section = "Ser:Auth";

    /// <summary>Shorter keys are refused at start-up: 16 random hex characters are 64 bits, beyond guessing over HTTP.</summary>
    public const int MinKeyLength = 16;

    public string[] ApiKeys { get; set; } = [];

    public bool ProtectClassify { get; set; }

    /// <summary>Outside Development a process serving the API refuses to start without a key unless this is set; without a
    /// key, state-changing endpoints and the dashboards answer loopback callers only.</summary>
    public bool AllowNoKey { get; set; }
}
