namespace Ser.Training.Loops;

/// <summary>The optimizers a run may name (<see cref="ResolvedHyperParameters.Optimizer"/>).</summary>
public static class OptimizerNames
{
    public const string AdamW = "adamw";

    /// <summary>Nesterov SGD with momentum 0.9 (ResNet18 only).</summary>
    public const string Sgd = "sgd";

    public static bool IsKnown(string? name) => name is AdamW or Sgd;
}
