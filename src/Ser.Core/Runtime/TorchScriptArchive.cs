using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using TorchSharp;

namespace Ser.Core.Runtime;

/// <summary>Loads TorchScript source as a script module, packaged the way <c>torch.jit.save</c> writes one (a zip of
/// <c>code/__torch__.py</c>, the pickled module object, its constants and a format version). TorchSharp's
/// <c>jit.compile</c> resolves only <c>torch.*</c> (aten) names; a saved module's code also reaches operators registered
/// in other namespaces (<c>ops.mkldnn.*</c>), the ones PyTorch's own CPU compiler emits.</summary>
public static class TorchScriptArchive
{
    // What PyTorch 1.13 wrote; the operators upgraded since (div, full, linspace, gelu …) are not used by Ser's code.
    private const string FormatVersion = "3";

    /// <summary>A module of class <paramref name="className"/> (training off, no parameters) whose code is
    /// <paramref name="code"/>: <c>class {className}(Module):</c> with its methods, as in a saved archive. A syntax error
    /// fails here with libtorch's message, but a call libtorch cannot resolve (an operator it lacks, wrong arguments)
    /// ends the process: TorchSharp lets that error cross a C++ boundary that cannot throw. So only code that ships with
    /// Ser, is tested, and whose operators the running libtorch is known to have comes here. Errors while a method runs
    /// are ordinary <see cref="System.Runtime.InteropServices.ExternalException"/>s.</summary>
    public static torch.jit.ScriptModule Load(string className, string code)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(className);
        ArgumentNullException.ThrowIfNull(code);
        if (!className.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || char.IsAsciiDigit(className[0]))
            throw new ArgumentException($"'{className}' is not a TorchScript class name.", nameof(className));
        if (!code.Contains($"class {className}(Module):", StringComparison.Ordinal))
            throw new ArgumentException($"The code does not define class {className}(Module).", nameof(code));
        return torch.jit.load(Archive(className, code));
    }

    private static byte[] Archive(string className, string code)
    {
        using var bytes = new MemoryStream();
        using (var zip = new ZipArchive(bytes, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Add(string name, byte[] content)
            {
                using var entry = zip.CreateEntry("module/" + name, CompressionLevel.NoCompression).Open();
                entry.Write(content);
            }
            Add("data.pkl", ModuleObject(className));
            Add("code/__torch__.py", Encoding.UTF8.GetBytes(code.EndsWith('\n') ? code : code + "\n"));
            Add("constants.pkl", [0x80, 0x02, (byte)')', (byte)'.']);
            Add("version", Encoding.ASCII.GetBytes(FormatVersion));
        }
        return bytes.ToArray();
    }

    // Pickle protocol 2 of `__torch__.{className}` with state {"training": False}: what torch.jit.save writes for a
    // module with no parameters or other attributes.
    private static byte[] ModuleObject(string className)
    {
        var pickle = new List<byte> { 0x80, 0x02, (byte)'c' };
        pickle.AddRange(Encoding.ASCII.GetBytes($"__torch__\n{className}\n"));
        pickle.AddRange([(byte)'q', 0, (byte)')', 0x81, (byte)'}', (byte)'(', (byte)'X']);
        var key = Encoding.ASCII.GetBytes("training");
        var length = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, key.Length);
        pickle.AddRange(length);
        pickle.AddRange(key);
        pickle.AddRange([(byte)'q', 1, 0x89, (byte)'u', (byte)'b', (byte)'q', 2, (byte)'.']);
        return [.. pickle];
    }
}
