namespace Ser.Training.Reports;

/// <summary>Runs that cannot be compared as asked (unknown, unfinished, or on different splits).</summary>
public sealed class ComparisonException : Exception
{
    public ComparisonException() { }

    public ComparisonException(string message) : base(message) { }

    public ComparisonException(string message, Exception innerException) : base(message, innerException) { }
}
