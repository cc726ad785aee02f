using Ser.Core.Data.CremaD;

namespace Ser.Core.Data;

/// <summary>Opens a corpus by kind: <c>crema-d</c> (and Ser's synthetic corpus, which shares its layout) or <c>csv</c>.</summary>
public static class DatasetLoader
{
    public static Corpus Load(string name, string kind, string path, bool verifyHashes = false) => kind switch
    {
        DatasetKinds.CremaD or DatasetKinds.Synthetic => CremaDCorpus.Load(name, path, verifyHashes),
        DatasetKinds.Csv => CsvCorpus.Load(name, path),
        _ => throw new DatasetException($"Unknown dataset kind '{kind}'; use crema-d, csv or synthetic."),
    };
}
