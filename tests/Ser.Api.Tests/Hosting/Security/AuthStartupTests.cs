using System.Net;

namespace Ser.Api.Tests.Hosting.Security;

/// <summary>Ser:Auth checked at start-up: blank, short and placeholder keys, and an API without a key outside Development,
/// stop the host with a message naming the setting (and never the key).</summary>
public sealed class AuthStartupTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("", "Ser:Auth:ApiKeys:0", "blank")]
    [InlineData("0123456789abcde", "Ser:Auth:ApiKeys:0", "shorter than 16")]
    [InlineData("change-me-change-me", "Ser:Auth:ApiKeys:0", "placeholder")]
    [InlineData("aaaaaaaaaaaaaaaaaaaa", "Ser:Auth:ApiKeys:0", "placeholder")]
    public void A_weak_key_stops_the_start_naming_the_setting(string key, string setting, string reason)
    {
        using var factory = new SerApiFactory();
        factory.Settings["Ser:Auth:ApiKeys:0"] = key;

        var message = StartFailure(factory);

        Assert.Contains(setting, message, StringComparison.Ordinal);
        Assert.Contains("Ser__Auth__ApiKeys__0", message, StringComparison.Ordinal);
        Assert.Contains(reason, message, StringComparison.Ordinal);
        if (key.Length > 0) Assert.DoesNotContain(key, message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_second_key_is_named_when_it_is_the_weak_one()
    {
        using var factory = new SerApiFactory();
        factory.Settings["Ser:Auth:ApiKeys:0"] = "4f1c9a7e2b8d6053";
        factory.Settings["Ser:Auth:ApiKeys:1"] = "change-me";

        Assert.Contains("Ser:Auth:ApiKeys:1 (Ser__Auth__ApiKeys__1) is shorter", StartFailure(factory), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("all")]
    [InlineData("api")]
    public void Outside_development_an_api_without_a_key_does_not_start(string role)
    {
        using var factory = Production(role);

        var message = StartFailure(factory);

        Assert.Contains("No API key is configured in the Production environment", message, StringComparison.Ordinal);
        Assert.Contains("Ser__Auth__ApiKeys__0", message, StringComparison.Ordinal);
        Assert.Contains("Ser__Auth__AllowNoKey=true", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Production", "all", "Ser:Auth:AllowNoKey", "true")]
    [InlineData("Production", "all", "Ser:Auth:ApiKeys:0", "4f1c9a7e2b8d6053")]
    [InlineData("Production", "worker", null, null)] // a worker has no state-changing endpoints; /hangfire stays loopback-only
    [InlineData("Development", "all", null, null)] // the README's `dotnet run` (launch profile)
    public async Task These_start(string environment, string role, string? setting, string? value)
    {
        using var factory = Production(role);
        factory.Settings["environment"] = environment;
        if (setting is not null) factory.Settings[setting] = value;
        using var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health/live", UriKind.Relative), Ct)).StatusCode);
    }

    private static SerApiFactory Production(string role)
    {
        var factory = new SerApiFactory();
        factory.Settings["environment"] = "Production";
        factory.Settings["Ser:Auth:AllowNoKey"] = "false";
        factory.Settings["Ser:Role"] = role;
        return factory;
    }

    private static string StartFailure(SerApiFactory factory)
    {
        var error = Record.Exception(() => factory.CreateClient().Dispose());
        Assert.NotNull(error);
        var messages = new List<string>();
        for (var e = error; e is not null; e = e.InnerException) messages.Add(e.Message);
        return string.Join(" | ", messages);
    }
}
