using Ser.Training.Cli;

namespace Ser.Training.Tests.Cli;

public class SerTrainCommandTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_lists_usage_and_exits_0(string flag)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await SerTrainCommand.RunAsync([flag], output, error, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(SerTrainCommand.Success, code);
        Assert.Contains("Usage: ser-train", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_command_exits_2_and_says_so()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await SerTrainCommand.RunAsync(["frobnicate"], output, error, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(SerTrainCommand.UsageError, code);
        Assert.Contains("unknown command 'frobnicate'", error.ToString(), StringComparison.Ordinal);
    }
}
