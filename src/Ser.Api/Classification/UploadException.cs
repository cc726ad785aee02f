namespace Ser.Api.Classification;

/// <summary>An upload refused before decoding, with the HTTP status to answer (and Retry-After for a 503).</summary>
public sealed class UploadException(int status, string message, int? retryAfterSeconds = null) : Exception(message)
{
    public int Status => status;

    public int? RetryAfterSeconds => retryAfterSeconds;
}
