namespace Ser.Training.Cli;

/// <summary>A command line that cannot be run as written (exit code 2).</summary>
public sealed class CliUsageException : Exception
{
    public CliUsageException() { }

    public CliUsageException(string message) : base(message) { }

    public CliUsageException(string message, Exception innerException) : base(message, innerException) { }
}
