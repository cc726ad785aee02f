namespace Ser.Core.Data.Synthetic;

/// <summary>Size and seed of a synthetic corpus.</summary>
public sealed record SyntheticCorpusOptions
{
    /// <summary>Actors 1001… (at most 91, as in CREMA-D); sexes alternate in a seeded order.</summary>
    public int Actors { get; init; } = 24;

    /// <summary>How many of CREMA-D's 12 sentence ids to use (in their usual order: DFA, IEO, …).</summary>
    public int Sentences { get; init; } = 12;

    public long Seed { get; init; } = 42;

    public void Validate()
    {
        if (Actors is < 2 or > 91) throw new ArgumentException("Actors must be 2 to 91.");
        if (Sentences is < 1 or > 12) throw new ArgumentException("Sentences must be 1 to 12.");
    }
}
