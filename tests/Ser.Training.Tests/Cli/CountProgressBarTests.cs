using Ser.Core.IO;
using Ser.Training.Cli;

namespace Ser.Training.Tests.Cli;

public sealed class CountProgressBarTests
{
    [Fact]
    public void A_redirected_stream_gets_a_line_per_tenth_and_one_at_the_end()
    {
        using var writer = new StringWriter();
        var bar = new CountProgressBar(writer);

        for (var i = 0; i <= 1000; i++) bar.Report(new CountProgress("evaluate", i, 1000));

        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(11, lines.Length);
        Assert.StartsWith("evaluate: 0/1000", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("evaluate: 1000/1000", lines[^1], StringComparison.Ordinal);
    }
}
