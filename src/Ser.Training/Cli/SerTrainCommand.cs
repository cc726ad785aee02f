using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ser.Core.Audio;
using Ser.Core.Data;
using Ser.Core.Models.Checkpoints;
using Ser.Training.Cli.Commands;
using Ser.Training.Runs;
using Ser.Training.Storage;

namespace Ser.Training.Cli;

/// <summary>Entry point of <c>ser-train</c>: dispatches to a subcommand; see <see cref="ExitCodes"/>.</summary>
public static class SerTrainCommand
{
    public const int Success = ExitCodes.Success;
    public const int UsageError = ExitCodes.Usage;

    public static readonly IReadOnlyList<ICliCommand> Commands =
        [new SynthCommand(), new ValidateCommand(), new SplitCommand(), new TrainCommand(), new EvaluateCommand(), new CompareCommand(), new RunsCommand(), new MathCommand()];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, ILoggerFactory? logging = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            output.WriteLine(Usage);
            return Success;
        }
        if (args[0] is "--version")
        {
            output.WriteLine(Version);
            return Success;
        }
        var command = Commands.FirstOrDefault(c => c.Name == args[0]);
        if (command is null)
        {
            error.WriteLine($"ser-train: unknown command '{args[0]}'. Run 'ser-train --help'.");
            return UsageError;
        }
        var rest = args[1..];
        if (rest.Contains("--help") || rest.Contains("-h"))
        {
            output.WriteLine(command.Usage);
            return Success;
        }
        var context = new CliContext(output, error, logging ?? NullLoggerFactory.Instance);
        try
        {
            return await command.RunAsync(rest, context, cancellationToken).ConfigureAwait(false);
        }
        catch (CliUsageException e)
        {
            error.WriteLine($"ser-train {command.Name}: {e.Message}. Run 'ser-train {command.Name} --help'.");
            return UsageError;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine($"ser-train {command.Name}: cancelled.");
            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (e is DatasetException or CheckpointException or AudioFormatException or IOException or UnauthorizedAccessException
            or RunLeaseLostException or RunLeasedException or RunExistsException || StorageFaults.IsUnavailable(e))
        {
            error.WriteLine($"ser-train {command.Name}: {e.Message}");
            return e is DatasetException ? ExitCodes.DataProblem : ExitCodes.Failure;
        }
    }

    public static string Version =>
        typeof(SerTrainCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    private static string Usage => "ser-train: train and compare speech emotion models (Wav2Vec2, ResNet18) on CREMA-D.\n\n"
        + "Usage: ser-train <command> [options]    (ser-train <command> --help for each)\n\nCommands:\n"
        + string.Join("\n", Commands.Select(c => $"  {c.Name,-10} {c.Summary}"))
        + "\n\nExit codes: 0 success, 1 failure, 2 usage error, 3 data problem, 130 stopped by Ctrl-C (resumable).";
}
