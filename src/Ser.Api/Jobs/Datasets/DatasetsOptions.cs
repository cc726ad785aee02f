namespace Ser.Api.Jobs.Datasets;

/// <summary><c>Ser:Datasets</c>: the corpora jobs may name, by name (case-insensitive, as configuration keys are).</summary>
public sealed class DatasetsOptions
{
    public const string Section = "Ser:Datasets";

    public Dictionary<string, DatasetOptions> Named { get; } = new(StringComparer.OrdinalIgnoreCase);

    public DatasetOptions? Find(string name) => Named.GetValueOrDefault(name);
}
