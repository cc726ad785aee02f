using Ser.Core.Data;

namespace Ser.Api.Jobs.Datasets;

/// <summary><c>Ser:Datasets:{name}</c>: where a named corpus is mounted and what it is.</summary>
public sealed class DatasetOptions
{
    public string? Path { get; set; }

    /// <summary><c>crema-d</c>, <c>csv</c> or <c>synthetic</c>.</summary>
    public string Kind { get; set; } = DatasetKinds.CremaD;
}
