namespace Ser.Api.Jobs;

/// <summary>Background jobs (<c>Ser:Jobs</c>) and the datasets they may use (<c>Ser:Datasets:{name}</c>).</summary>
public sealed class JobsOptions
{
    public const string Section = "Ser:Jobs";

    /// <summary><c>sqlite</c> (a file under the data folder, survives restarts) or <c>memory</c> (tests).</summary>
    public string Storage { get; set; } = "sqlite";

    /// <summary>Whether this process runs training jobs (false for a pure API node).</summary>
    public bool RunWorker { get; set; } = true;
}

/// <summary><c>Ser:Datasets:{name}</c>: where a named corpus is mounted and what it is.</summary>
public sealed class DatasetOptions
{
    public string? Path { get; set; }

    /// <summary><c>crema-d</c>, <c>csv</c> or <c>synthetic</c>.</summary>
    public string Kind { get; set; } = "crema-d";
}
