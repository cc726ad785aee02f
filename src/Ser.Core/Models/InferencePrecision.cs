namespace Ser.Core.Models;

/// <summary>Numeric precision of inference (<c>Ser:Inference:Precision</c>). BFloat16 runs the network in bf16
/// (about 2× faster on CPUs with AVX-512 BF16; probabilities drift by up to a few 0.01), with the
/// audio front end and the softmax kept in float32.</summary>
public enum InferencePrecision
{
    Float32,
    BFloat16,
}
