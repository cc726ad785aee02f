namespace Ser.Training.Loops;

/// <summary>Learning-rate multiplier per optimizer step: linear warm-up, then linear decay to 0 (the Hugging Face
/// Trainer's default) or cosine decay. A pure function of the step, so resuming needs no scheduler state.</summary>
public sealed record LearningRateSchedule(long TotalSteps, long WarmupSteps, bool Cosine)
{
    public double Factor(long step)
    {
        if (TotalSteps <= 0) return 1;
        if (step < WarmupSteps) return (step + 1.0) / WarmupSteps;
        var progress = Math.Clamp((double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps), 0, 1);
        return Cosine ? 0.5 * (1 + Math.Cos(Math.PI * progress)) : 1 - progress;
    }
}
