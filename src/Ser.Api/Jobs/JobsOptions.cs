namespace Ser.Api.Jobs;

/// <summary>Background jobs (<c>Ser:Jobs</c>) and the datasets they may use (<c>Ser:Datasets:{name}</c>).</summary>
public sealed class JobsOptions
{
    public const string Section = "Ser:Jobs";

    /// <summary>PostgreSQL only: how long a fetched job stays invisible to other workers after its worker stops
    /// renewing it (sliding), i.e. how soon a job of a dead worker is delivered again.</summary>
    public int InvisibilityTimeoutSeconds { get; set; } = 300;
}

/// <summary><c>Ser:Datasets:{name}</c>: where a named corpus is mounted and what it is.</summary>
public sealed class DatasetOptions
{
    public string? Path { get; set; }

    /// <summary><c>crema-d</c>, <c>csv</c> or <c>synthetic</c>.</summary>
    public string Kind { get; set; } = "crema-d";
}
