using Ser.Training.Runs;

namespace Ser.Training.Cli.Commands;

public sealed class EvaluateCommand : ICliCommand
{
    public string Name => "evaluate";

    public string Summary => "evaluate a finished run's model again, as a new run";

    public string Usage => """
        ser-train evaluate --run RUN [--data DIR] [--dataset-path DIR --dataset-kind KIND]

        Scores RUN's saved model on the test clips of its split (or, with another dataset, of a split made with the
        same settings) and records the result as a run of kind "evaluate".
        """;

    public async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var a = new CliArguments(args, ["run", "data", "dataset-path", "dataset-kind"]);
        var store = TrainCommand.Store(a.Get("data"));
        var source = a.Required("run");
        if (!store.Exists(source)) throw new CliUsageException($"unknown run '{source}'");
        var original = store.ReadSpec(source);
        var id = TrainingRunner.NewRunId();
        var spec = original with
        {
            RunId = id, Kind = RunKinds.Evaluate, SourceRun = source, CreatedAt = DateTimeOffset.UtcNow,
            DatasetPath = a.Get("dataset-path") is { } path ? Path.GetFullPath(path) : original.DatasetPath,
            DatasetKind = a.Get("dataset-kind") ?? original.DatasetKind,
        };
        var runner = new TrainingRunner(store, TrainCommand.Registry(a.Get("data")));
        runner.Create(spec);
        try
        {
            var summary = await runner.EvaluateAsync(id, new CountProgressBar(context.Error), cancellationToken).ConfigureAwait(false);
            context.Output.WriteLine($"{id} (evaluates {source}): test WA {summary.Wa:0.000}, UA {summary.Ua:0.000}, macro-F1 {summary.MacroF1:0.000}");
            return ExitCodes.Success;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            context.Error.WriteLine($"ser-train evaluate: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
