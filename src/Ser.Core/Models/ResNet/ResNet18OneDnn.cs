using System.Reflection;
using System.Runtime.InteropServices;
using Ser.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Ser.Core.Models.ResNet;

/// <summary>The folded ResNet18 on oneDNN's fused convolutions (<c>Resources/ResNet18OneDnn.py</c>), reached through
/// TorchScript because TorchSharp does not expose them. Weights are packed for one input size; run at another they
/// are still right, but oneDNN may repack some per call.</summary>
internal static class ResNet18OneDnn
{
    /// <summary>conv1, 8 blocks × 2, 3 downsamples.</summary>
    public const int Convolutions = 20;

    private static readonly Lazy<jit.ScriptModule?> Module = new(Load);

    /// <summary>Whether this libtorch has the operators (x86-64 Linux builds with oneDNN).</summary>
    public static bool IsAvailable => Module.Value is not null;

    /// <summary>Folded conv weights (dense, in <see cref="Convolutions"/> order) packed for input [batch, in, height, width];
    /// the three 1x1 downsamples come back as [out, in] matrices (the script multiplies them, see its downsample).</summary>
    // Sizes go as int, by value: invoke turns a long or double into a temporary Scalar the GC may free before libtorch
    // reads it, and no analyzer sees that (the arguments are objects).
    public static Tensor[] Pack(Tensor[] weights, long batch, long height, long width) =>
        (Tensor[])Module.Value!.invoke("pack", weights, checked((int)batch), checked((int)height), checked((int)width));

    /// <summary>[batch, in, height, width] → logits.</summary>
    public static Tensor Forward(Tensor input, Tensor[] packed, Tensor[] biases, Tensor fcWeight, Tensor fcBias) =>
        (Tensor)Module.Value!.invoke("forward", input, packed, biases, fcWeight, fcBias);

    // The operators exist in every libtorch 2.x built with oneDNN; code naming a missing one would end the process
    // (TorchScriptArchive), so elsewhere (no oneDNN, not x86-64 Linux) the plain path serves.
    private static jit.ScriptModule? Load()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64 || !TorchRuntime.HasOneDnn()) return null;
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Ser.Core.ResNet.ResNet18OneDnn.py")
            ?? throw new InvalidOperationException("Ser.Core is missing its ResNet18OneDnn.py resource.");
        using var reader = new StreamReader(stream);
        try
        {
            return TorchScriptArchive.Load(nameof(ResNet18OneDnn), reader.ReadToEnd());
        }
        catch (ExternalException)
        {
            return null;
        }
    }
}
