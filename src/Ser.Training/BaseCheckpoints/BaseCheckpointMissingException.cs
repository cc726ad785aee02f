namespace Ser.Training.BaseCheckpoints;

/// <summary>A base checkpoint that is not in the models folder and could not be downloaded. The message names the
/// folder to fill and what to put there.</summary>
public sealed class BaseCheckpointMissingException : Exception
{
    public BaseCheckpointMissingException() { }

    public BaseCheckpointMissingException(string message) : base(message) { }

    public BaseCheckpointMissingException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The folder (or file) that was looked for, when known.</summary>
    public string? Folder { get; init; }
}
