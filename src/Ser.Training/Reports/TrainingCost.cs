namespace Ser.Training.Reports;

/// <summary>Training time, device, epochs and seed.</summary>
public sealed record TrainingCost(double Seconds, string Device, int Epochs, int BestEpoch, long Seed);
