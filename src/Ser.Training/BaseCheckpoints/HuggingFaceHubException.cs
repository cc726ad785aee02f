namespace Ser.Training.BaseCheckpoints;

/// <summary>A hub download that did not complete: offline, a required file the repo does not have, an HTTP error,
/// a network failure or a body cut short. Nothing was published at the target folder.</summary>
public sealed class HuggingFaceHubException : Exception
{
    public HuggingFaceHubException() { }

    public HuggingFaceHubException(string message) : base(message) { }

    public HuggingFaceHubException(string message, Exception innerException) : base(message, innerException) { }
}
