using Ser.Core.Data;
using Ser.Core.Data.CremaD;
using Ser.Core.Data.Synthetic;

namespace Ser.Training.Tests.Loops;

/// <summary>A small synthetic corpus (6 actors, 2 sentences: 132 clips) for the class's tests, deleted afterwards.</summary>
public sealed class SyntheticCorpusFixture : IDisposable
{
    public SyntheticCorpusFixture()
    {
        Root = Directory.CreateTempSubdirectory("ser-train-corpus-").FullName;
        SyntheticCorpusGenerator.Generate(Root, new SyntheticCorpusOptions { Actors = 6, Sentences = 2, Seed = 3 });
        Corpus = CremaDCorpus.Load("synthetic", Root);
    }

    public string Root { get; }

    public Corpus Corpus { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
