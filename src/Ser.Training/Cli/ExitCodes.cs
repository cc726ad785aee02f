namespace Ser.Training.Cli;

/// <summary>Exit codes of <c>ser-train</c>, for scripts.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>A run or command failed (the message says why).</summary>
    public const int Failure = 1;
    public const int Usage = 2;
    /// <summary>The data is not as expected (e.g. validate found missing or damaged files).</summary>
    public const int DataProblem = 3;
    /// <summary>Stopped by Ctrl-C; a resumable checkpoint was written.</summary>
    public const int Cancelled = 130;
}
