using System.Reflection;

namespace Ser.Training.Cli;

/// <summary>Entry point of <c>ser-train</c>. Exit codes: 0 success, 2 usage error.</summary>
public static class SerTrainCommand
{
    public const int Success = 0;
    public const int UsageError = 2;

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            output.WriteLine(Usage);
            return Task.FromResult(Success);
        }
        if (args[0] is "--version")
        {
            output.WriteLine(Version);
            return Task.FromResult(Success);
        }
        error.WriteLine($"ser-train: unknown command '{args[0]}'. Run 'ser-train --help'.");
        return Task.FromResult(UsageError);
    }

    public static string Version =>
        typeof(SerTrainCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    private const string Usage = """
        ser-train: train and compare speech emotion models (Wav2Vec2, ResNet18) on CREMA-D.

        Usage: ser-train <command> [options]

        Options:
          -h, --help     Show this help.
          --version      Show the version.

        Commands (synth, validate, split, train, evaluate, compare, runs) arrive with the training issue.
        """;
}
