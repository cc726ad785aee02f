namespace Ser.Api.Classification;

public sealed class ModelUnavailableException(string architecture) : Exception($"No {architecture} model is loaded.")
{
    public string Architecture => architecture;
}
