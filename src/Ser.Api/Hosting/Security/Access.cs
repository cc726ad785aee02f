namespace Ser.Api.Hosting.Security;

/// <summary>How a request fared at <see cref="ApiKeyGate"/>.</summary>
public enum Access
{
    Allowed,
    KeyMissing,
    KeyWrong,
    NotLocal,
}
