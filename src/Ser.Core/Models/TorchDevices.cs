using static TorchSharp.torch;

namespace Ser.Core.Models;

/// <summary>Turns a configured device name (<c>cpu</c>, <c>cuda</c>, <c>cuda:1</c>, <c>auto</c>) into a TorchSharp device.</summary>
public static class TorchDevices
{
    /// <summary>CUDA when one is available, else the CPU.</summary>
    public const string Auto = "auto";

    /// <exception cref="ArgumentException">An unknown name, or CUDA asked for where none is available.</exception>
    public static Device Resolve(string? name)
    {
        var value = string.IsNullOrWhiteSpace(name) ? Auto : name.Trim().ToLowerInvariant();
        if (value == Auto) return cuda.is_available() ? CUDA : CPU;
        if (value == "cpu") return CPU;
        if (value == "cuda" || value.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
                throw new ArgumentException(
                    $"Device '{name}' was requested but CUDA is not available here (this build uses the CPU libtorch, or no GPU/driver is visible). "
                    + "Use 'cpu' or 'auto', or build with -p:TorchBackend=cuda on a machine with a GPU.", nameof(name));
            return value == "cuda" ? CUDA : new Device(value);
        }
        throw new ArgumentException($"Unknown device '{name}'; use cpu, cuda, cuda:N or auto.", nameof(name));
    }
}
