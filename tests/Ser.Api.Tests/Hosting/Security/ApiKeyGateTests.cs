using Microsoft.Extensions.Options;
using Ser.Api.Hosting.Security;

namespace Ser.Api.Tests.Hosting.Security;

/// <summary>The key comparison itself (SHA-256 of both sides, compared with FixedTimeEquals against every key): exact
/// matches only. Its timing is not asserted here (no timed assertions in tests).</summary>
public sealed class ApiKeyGateTests
{
    private static readonly ApiKeyGate Gate = new(new Fixed(new AuthOptions { ApiKeys = ["4f1c9a7e2b8d6053a1", "second-key-9f8e7d6c5b"] }),
        Microsoft.Extensions.Logging.Abstractions.NullLogger<ApiKeyGate>.Instance);

    [Theory]
    [InlineData("4f1c9a7e2b8d6053a1", true)]
    [InlineData("second-key-9f8e7d6c5b", true)]
    [InlineData("4f1c9a7e2b8d6053a", false)] // a prefix
    [InlineData("4f1c9a7e2b8d6053a1 ", false)]
    [InlineData("4F1C9A7E2B8D6053A1", false)]
    [InlineData("", false)]
    public void Only_a_configured_key_matches(string presented, bool matches) => Assert.Equal(matches, Gate.Matches(presented));

    private sealed class Fixed(AuthOptions value) : IOptionsMonitor<AuthOptions>
    {
        public AuthOptions CurrentValue => value;

        public AuthOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<AuthOptions, string?> listener) => null;
    }
}
