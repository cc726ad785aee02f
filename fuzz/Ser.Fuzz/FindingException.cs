namespace Ser.Fuzz;

/// <summary>A broken invariant on an input the target otherwise handled (non-finite samples, too much work).</summary>
public sealed class FindingException : Exception
{
    public FindingException(string message) : base(message) { }

    public FindingException() { }

    public FindingException(string message, Exception innerException) : base(message, innerException) { }
}
