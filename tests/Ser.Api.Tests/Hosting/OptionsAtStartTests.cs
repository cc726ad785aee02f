namespace Ser.Api.Tests.Hosting;

/// <summary>Every options section is bound and validated when the host starts (ValidateOnStart): a bad value stops the
/// start naming the setting, instead of surfacing in the first request or job that reads it.</summary>
public sealed class OptionsAtStartTests
{
    [Theory]
    [InlineData("Ser:RateLimit:PermitsPerMinute", "-1", "PermitsPerMinute")]
    [InlineData("Ser:Bootstrap:SyntheticActors", "1", "SyntheticActors")]
    [InlineData("Ser:Jobs:InvisibilityTimeoutSeconds", "0", "InvisibilityTimeoutSeconds")]
    [InlineData("Ser:Datasets:mine:Kind", "wav-folder", "Ser:Datasets:mine:Kind")]
    public void A_bad_value_stops_the_start_naming_it(string setting, string value, string named)
    {
        using var factory = new SerApiFactory();
        factory.Settings[setting] = value;
        factory.Settings["Ser:Datasets:mine:Path"] = factory.DataPath;

        var error = Record.Exception(() => factory.CreateClient().Dispose());

        Assert.NotNull(error);
        var messages = new List<string>();
        for (var e = error; e is not null; e = e.InnerException) messages.Add(e.Message);
        Assert.Contains(named, string.Join(" | ", messages), StringComparison.Ordinal);
    }
}
