using Ser.Core.Data.Synthetic;

namespace Ser.Training.Cli.Commands;

public sealed class SynthCommand : ICliCommand
{
    public string Name => "synth";

    public string Summary => "write a synthetic corpus in CREMA-D's layout (test data, not speech)";

    public string Usage => """
        ser-train synth --out DIR [--actors 24] [--sentences 12] [--seed 42]

        Writes DIR/AudioWAV/{actor}_{sentence}_{emotion}_{intensity}.wav (16 kHz, 16-bit, mono, 1.3–5 s) and
        DIR/synthetic.json. Emotions are carried by pitch level and contour, rate, loudness, spectral tilt,
        jitter, tremor and noise over per-actor voices; the same seed writes the same bytes.
        """;

    public Task<int> RunAsync(IReadOnlyList<string> args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var a = new CliArguments(args, ["out", "actors", "sentences", "seed"]);
        var options = new SyntheticCorpusOptions
        {
            Actors = a.Int("actors") ?? 24, Sentences = a.Int("sentences") ?? 12, Seed = a.Long("seed") ?? 42,
        };
        try { options.Validate(); }
        catch (ArgumentException e) { throw new CliUsageException(e.Message); }
        var manifest = SyntheticCorpusGenerator.Generate(a.Required("out"), options, cancellationToken);
        var clips = Directory.GetFiles(Path.Combine(a.Required("out"), "AudioWAV"), "*.wav").Length;
        context.Output.WriteLine($"Wrote {clips} clips of {manifest.Actors.Count} actors to {Path.GetFullPath(a.Required("out"))} (seed {options.Seed}).");
        return Task.FromResult(ExitCodes.Success);
    }
}
