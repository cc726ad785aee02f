using Ser.Build;

namespace Ser.Core.Tests.Build;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class GlibcxxWeakVersionTests : IDisposable
{
    private static readonly string NativeDir = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-elf-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static byte[] UnpatchedLibrary()
    {
        var bytes = File.ReadAllBytes(Path.Combine(NativeDir, "libLibTorchSharp.so"));
        foreach (var at in ElfVersionNeeds.FindVernauxFlags(bytes, ElfVersionNeeds.Version)) bytes[at] &= 0xFD;
        return bytes;
    }

    [Fact]
    public void The_library_copied_to_this_output_is_weak_exactly_when_the_host_lacks_the_version()
    {
        var bytes = File.ReadAllBytes(Path.Combine(NativeDir, "libLibTorchSharp.so"));
        var flags = ElfVersionNeeds.FindVernauxFlags(bytes, ElfVersionNeeds.Version);

        Assert.Single(flags);
        Assert.Equal(!ElfVersionNeeds.HostProvides(ElfVersionNeeds.Version), (bytes[flags[0]] & 0x2) != 0);
    }

    [Fact]
    public void Patching_sets_only_the_weak_flag_and_is_idempotent()
    {
        var original = UnpatchedLibrary();
        var patched = (byte[])original.Clone();

        Assert.Equal(ElfPatchOutcome.Patched, ElfVersionNeeds.Patch(patched, ElfVersionNeeds.Version));
        var at = Assert.Single(ElfVersionNeeds.FindVernauxFlags(patched, ElfVersionNeeds.Version));
        Assert.Equal(original[at] | 0x2, patched[at]);
        Assert.Equal(Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]), [at]);

        var again = (byte[])patched.Clone();
        Assert.Equal(ElfPatchOutcome.AlreadyWeak, ElfVersionNeeds.Patch(again, ElfVersionNeeds.Version));
        Assert.Equal(patched, again);
    }

    [Fact]
    public void Files_without_the_requirement_or_not_elf_are_left_alone()
    {
        var other = File.ReadAllBytes(Path.Combine(NativeDir, "libLibTorchSharp.so"));
        Assert.Equal(ElfPatchOutcome.NotRequired, ElfVersionNeeds.Patch(other, "GLIBCXX_9.9.99"));
        Assert.Equal(ElfPatchOutcome.NotElf, ElfVersionNeeds.Patch("not an elf file at all, just text....."u8.ToArray(), ElfVersionNeeds.Version));
    }

    [Fact]
    public void Patching_a_file_replaces_it_so_a_hard_linked_cache_copy_stays_untouched()
    {
        var cache = Path.Combine(_temp, "cache.so");
        var output = Path.Combine(_temp, "output.so");
        File.WriteAllBytes(cache, UnpatchedLibrary());
        File.SetUnixFileMode(cache, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Assert.Equal(0, Link(cache, output));

        Assert.Equal(ElfPatchOutcome.Patched, ElfVersionNeeds.PatchFile(output, ElfVersionNeeds.Version));

        Assert.Equal(UnpatchedLibrary(), File.ReadAllBytes(cache));
        Assert.NotEqual(File.ReadAllBytes(cache), File.ReadAllBytes(output));
        Assert.Equal(File.GetUnixFileMode(cache), File.GetUnixFileMode(output));
        Assert.Equal(ElfPatchOutcome.AlreadyWeak, ElfVersionNeeds.PatchFile(output, ElfVersionNeeds.Version));
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "link", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    private static partial int Link(string existing, string created);
}
