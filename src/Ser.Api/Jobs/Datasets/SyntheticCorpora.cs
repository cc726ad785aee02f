using Microsoft.Extensions.Options;
using Ser.Api.Bootstrap;
using Ser.Core.Data.CremaD;
using Ser.Core.Data.Synthetic;

namespace Ser.Api.Jobs.Datasets;

/// <summary>Generates a <c>synthetic</c> dataset the first time it is used (the bootstrap's generator and settings,
/// so the corpus is the same byte for byte whoever generates it first).</summary>
public sealed class SyntheticCorpora(IOptions<BootstrapOptions> options)
{
    private readonly Lock _gate = new();

    public static bool Exists(string path) => File.Exists(Path.Combine(path, CremaDCorpus.SyntheticMarker));

    /// <summary>Not generated yet and free to generate into: absent, empty, or only a half-written <c>AudioWAV/</c>
    /// (never a folder holding something else).</summary>
    public static bool Missing(string path) => !Exists(path)
        && (!Directory.Exists(path) || Directory.EnumerateFileSystemEntries(path).All(e => Path.GetFileName(e) == "AudioWAV"));

    /// <returns>True when it was generated now, false when it was there already.</returns>
    public bool Ensure(string path, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (Exists(path)) return false;
            var o = options.Value;
            // The marker file is written last: a corpus interrupted half-way is generated again, byte-identically.
            SyntheticCorpusGenerator.Generate(path, new SyntheticCorpusOptions { Actors = o.SyntheticActors, Sentences = o.SyntheticSentences, Seed = o.SyntheticSeed },
                cancellationToken);
            return true;
        }
    }
}
