namespace Ser.Core.Models.Checkpoints;

/// <summary>A module that keeps values computed from its weights (for inference) and must compute them again once a
/// checkpoint is copied into those weights in place: copies keep the tensors, so nothing else would tell it.</summary>
internal interface IDerivedFromWeights
{
    void WeightsLoaded();
}
