using SharpFuzz;
using Ser.Fuzz;

// ser-fuzz wav|upload                 one target under afl-fuzz (or once on stdin without it)
// ser-fuzz seeds DIR                  writes the seed corpora to DIR/wav and DIR/upload
// ser-fuzz strip-r2r DLL...          rewrites ReadyToRun assemblies as IL only, for sharpfuzz
// ser-fuzz replay wav|upload PATH...  runs every file (or every file of a folder) once; exit 1 on any finding
switch (args)
{
    case ["wav"]:
        Fuzzer.Run(stream => WavTarget.Run(ReadAll(stream)));
        return 0;
    case ["upload"]:
        Fuzzer.Run(stream => UploadTarget.Run(ReadAll(stream)));
        return 0;
    case ["seeds", var dir]:
        SeedCorpus.Write(dir);
        return 0;
    case ["strip-r2r", .. var dlls]:
        foreach (var dll in dlls) ReadyToRun.StripInPlace(dll);
        return 0;
    case ["replay", var target, .. var paths] when target is "wav" or "upload":
        return Replay.Run(target == "wav" ? WavTarget.Run : UploadTarget.Run, paths);
    default:
        await Console.Error.WriteLineAsync("usage: ser-fuzz wav|upload | seeds DIR | strip-r2r DLL... | replay wav|upload PATH...").ConfigureAwait(false);
        return 2;
}

static byte[] ReadAll(Stream stream)
{
    using var memory = new MemoryStream();
    stream.CopyTo(memory);
    return memory.ToArray();
}
