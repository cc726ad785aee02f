namespace Ser.Training.Cli;

/// <summary>One <c>ser-train</c> subcommand.</summary>
public interface ICliCommand
{
    string Name { get; }

    /// <summary>One line for the command list.</summary>
    string Summary { get; }

    /// <summary>Full usage for <c>ser-train NAME --help</c>.</summary>
    string Usage { get; }

    Task<int> RunAsync(IReadOnlyList<string> args, CliContext context, CancellationToken cancellationToken);
}
