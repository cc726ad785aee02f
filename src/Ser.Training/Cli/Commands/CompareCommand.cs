using Ser.Training.Reports;

namespace Ser.Training.Cli.Commands;

public sealed class CompareCommand : ICliCommand
{
    public string Name => "compare";

    public string Summary => "compare finished runs on the same split (JSON, Markdown, PNG)";

    public string Usage => """
        ser-train compare --runs RUN,RUN[,…] [--out DIR] [--data DIR] [--allow-different-splits]

        Writes comparison.json, comparison.md and plots (confusion matrices, per-class F1, learning curves) to
        DIR (default ./data/reports/{first}-vs-{second}) and prints the Markdown. Runs on different splits are
        refused unless --allow-different-splits.
        """;

    public Task<int> RunAsync(IReadOnlyList<string> args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var a = new CliArguments(args, ["runs", "out", "data"], ["allow-different-splits"]);
        var ids = a.Required("runs").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var store = TrainCommand.Store(a.Get("data"));
        ComparisonReport report;
        try { report = ComparisonBuilder.Build(store, ids, a.Has("allow-different-splits")); }
        catch (ComparisonException e)
        {
            context.Error.WriteLine($"ser-train compare: {e.Message}");
            return Task.FromResult(ExitCodes.Failure);
        }
        var output = a.Get("out") ?? Path.Combine(TrainCommand.DataPath(a.Get("data")), "reports", string.Join("-vs-", ids));
        ComparisonWriter.Write(report, output);
        context.Output.WriteLine(ComparisonWriter.Markdown(report));
        context.Output.WriteLine($"Report written to {Path.GetFullPath(output)}");
        return Task.FromResult(ExitCodes.Success);
    }
}
