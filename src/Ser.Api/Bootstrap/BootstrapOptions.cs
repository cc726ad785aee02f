using System.ComponentModel.DataAnnotations;

namespace Ser.Api.Bootstrap;

/// <summary><c>Ser:Bootstrap</c>: what the service does at first start when an architecture has no model to serve.</summary>
public sealed class BootstrapOptions
{
    public const string Section = "Ser:Bootstrap";

    /// <summary>Train the missing models in the background (on CREMA-D when <c>Ser:Datasets:crema-d:Path</c> is set,
    /// else on a synthetic corpus generated once under the data folder).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Epochs of the bootstrap training on the synthetic corpus (the tiny presets learn it in about 15).</summary>
    [Range(1, 1000)]
    public int SyntheticEpochs { get; set; } = 15;

    /// <summary>Synthetic corpus size: actors × sentences × 6 emotions (+ intensities), CREMA-D's naming.</summary>
    [Range(2, 91)]
    public int SyntheticActors { get; set; } = 24;

    [Range(1, 12)]
    public int SyntheticSentences { get; set; } = 6;

    public long SyntheticSeed { get; set; } = 7;
}
