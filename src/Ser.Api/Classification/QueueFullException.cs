namespace Ser.Api.Classification;

public sealed class QueueFullException(string architecture) : Exception($"The {architecture} queue is full.")
{
    public string Architecture => architecture;
}
