using dnlib.DotNet;
using dnlib.DotNet.MD;

namespace Ser.Fuzz;

/// <summary>Rewrites a ReadyToRun framework assembly (ASP.NET Core's form and multipart parsers) as IL only,
/// which sharpfuzz refuses to instrument otherwise ("mixed-mode"); the runtime then JITs the instrumented IL.</summary>
public static class ReadyToRun
{
    public static void StripInPlace(string path)
    {
        using var module = ModuleDefMD.Load(File.ReadAllBytes(path));
        module.Cor20HeaderFlags = (module.Cor20HeaderFlags & ~ComImageFlags.ILLibrary) | ComImageFlags.ILOnly;
        // ReadyToRun images name the target OS in the machine field (AMD64 xor an OS code); IL is any-CPU.
        module.Machine = dnlib.PE.Machine.I386;
        module.Write(path);
    }
}
