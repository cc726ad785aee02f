namespace Ser.Core.Data;

/// <summary>A corpus, manifest or split that cannot be used as asked (missing folder, bad manifest, foreign split).</summary>
public sealed class DatasetException : Exception
{
    public DatasetException() { }

    public DatasetException(string message) : base(message) { }

    public DatasetException(string message, Exception innerException) : base(message, innerException) { }
}
