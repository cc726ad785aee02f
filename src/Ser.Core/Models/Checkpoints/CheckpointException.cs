namespace Ser.Core.Models.Checkpoints;

/// <summary>A checkpoint file or folder that cannot be read or does not fit the model it is loaded into.</summary>
public sealed class CheckpointException : Exception
{
    public CheckpointException() { }

    public CheckpointException(string message) : base(message) { }

    public CheckpointException(string message, Exception innerException) : base(message, innerException) { }
}
