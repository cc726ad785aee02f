namespace Ser.Api.Metrics.Contracts;

public sealed record TrainingInfo(double Seconds, string Device, int Epochs, int BestEpoch, long Seed);
