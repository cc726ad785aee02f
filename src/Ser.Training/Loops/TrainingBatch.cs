using static TorchSharp.torch;

namespace Ser.Training.Loops;

/// <summary>A collated batch ready for the model: inputs, optional valid lengths (masked models) and labels.</summary>
public sealed record TrainingBatch(Tensor Inputs, Tensor? Lengths, Tensor Labels, int Clips) : IDisposable
{
    public void Dispose()
    {
        Inputs.Dispose();
        Lengths?.Dispose();
        Labels.Dispose();
    }
}
