namespace Ser.Training.Runs;

/// <summary>A corpus as the caller resolved it: its name (as runs record it), kind (<c>Ser.Core.Data.DatasetKinds</c>) and folder.</summary>
public sealed record TrainingDataset
{
    public required string Name { get; init; }

    public required string Kind { get; init; }

    public required string Path { get; init; }
}
