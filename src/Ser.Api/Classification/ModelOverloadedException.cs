namespace Ser.Api.Classification;

/// <summary>A forward pass ran out of memory; the requests in it may succeed when retried.</summary>
public sealed class ModelOverloadedException(string architecture) : Exception($"The {architecture} model ran out of memory.")
{
    public string Architecture => architecture;
}
