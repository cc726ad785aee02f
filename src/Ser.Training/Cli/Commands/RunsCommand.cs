using System.Globalization;
using Ser.Training.Runs;

namespace Ser.Training.Cli.Commands;

public sealed class RunsCommand : ICliCommand
{
    public string Name => "runs";

    public string Summary => "list runs from the registry";

    public string Usage => """
        ser-train runs [--data DIR] [--architecture wav2vec2|resnet18] [--state queued|running|succeeded|failed|cancelled] [--limit 50]

        Lists runs newest first with their split, state and test figures. DIR defaults to ./data.
        """;

    public Task<int> RunAsync(IReadOnlyList<string> args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var a = new CliArguments(args, ["data", "architecture", "state", "limit"]);
        RunState? state = a.Get("state") is { } s
            ? Enum.TryParse<RunState>(s, ignoreCase: true, out var parsed) ? parsed : throw new CliUsageException($"unknown state '{s}'")
            : null;
        var registry = TrainCommand.Registry(a.Get("data"));
        var runs = registry.List(a.Get("architecture"), state, a.Int("limit") ?? 50);
        context.Output.WriteLine($"{"run",-26} {"kind",-8} {"model",-24} {"split",-22} {"state",-10} {"WA",6} {"UA",6} {"F1",6}");
        foreach (var r in runs)
            context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.RunId,-26} {r.Kind,-8} {r.Architecture + "/" + r.Preset,-24} {(r.SpeakerIndependent ? r.SplitStrategy : "random (spk-dep)") + " s" + r.SplitSeed,-22} {r.State.ToString().ToLowerInvariant(),-10} {r.Wa,6:0.000} {r.Ua,6:0.000} {r.MacroF1,6:0.000}"));
        return Task.FromResult(ExitCodes.Success);
    }
}
