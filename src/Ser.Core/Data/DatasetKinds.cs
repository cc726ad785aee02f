using Ser.Core.Data.CremaD;

namespace Ser.Core.Data;

/// <summary>The corpus layouts <see cref="DatasetLoader"/> reads.</summary>
public static class DatasetKinds
{
    public const string CremaD = CremaDCorpus.Kind;

    public const string Csv = CsvCorpus.Kind;

    /// <summary>CREMA-D's layout, generated (Ser.Core.Data.Synthetic); the default corpus of the tiny presets.</summary>
    public const string Synthetic = "synthetic";

    public static IReadOnlyList<string> All { get; } = [CremaD, Csv, Synthetic];
}
