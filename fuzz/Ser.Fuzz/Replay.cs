using System.Runtime.InteropServices;

namespace Ser.Fuzz;

/// <summary>Runs a target once per file (or every file of a folder) (triage without afl-fuzz): counts outcomes, prints every finding.</summary>
public static class Replay
{
    public static int Run(Func<byte[], string> target, IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(target);
        GiveInstrumentationABitmap();
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var findings = 0;
        // afl-fuzz keeps its own state in dot-folders (queue/.state) and a README in crashes/.
        var files = paths.SelectMany(d => File.Exists(d) ? [d] : Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(d, f).StartsWith('.') && !f.Contains("/.", StringComparison.Ordinal) && Path.GetFileName(f) != "README.txt"));
        foreach (var file in files.Order(StringComparer.Ordinal))
        {
            string outcome;
            try
            {
                outcome = target(File.ReadAllBytes(file));
            }
#pragma warning disable CA1031 // Any other exception is what the fuzzer looks for.
            catch (Exception e)
#pragma warning restore CA1031
            {
                findings++;
                outcome = "FINDING " + e.GetType().Name;
                Console.WriteLine($"{file}: {e.GetType().Name}: {e.Message}");
            }
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        if (outcomes.Count == 0) Console.WriteLine("      0  files");
        foreach (var (outcome, count) in outcomes) Console.WriteLine($"{count,7}  {outcome}");
        return findings == 0 ? 0 : 1;
    }

    // Instrumented assemblies write branch hits to SharpFuzz's bitmap, which only Fuzzer.Run sets up otherwise.
    private static unsafe void GiveInstrumentationABitmap()
    {
        if (SharpFuzz.Common.Trace.SharedMem == null) SharpFuzz.Common.Trace.SharedMem = (byte*)NativeMemory.AllocZeroed(1 << 16);
    }
}
