// Marks one ELF version requirement (GLIBCXX_3.4.32) as weak so libLibTorchSharp.so loads on hosts
// whose libstdc++ stops at 3.4.30 (GCC 12: Debian 12, Ubuntu 22.04). The only symbol under that
// version, _ZSt21ios_base_library_initv, is referenced by no relocation, so a weak requirement is safe.
// Compiled by MSBuild's RoslynCodeTaskFactory (see Directory.Build.targets) and, with
// ELF_PATCH_STANDALONE defined, by the tests that check the patch on a copy of the real library.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Ser.Build
{
    public enum ElfPatchOutcome { Patched, AlreadyWeak, NotRequired, NotElf }

    public static class ElfVersionNeeds
    {
        public const string Version = "GLIBCXX_3.4.32";
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlagWeak = 0x2;

        private static readonly string[] LibStdCxxCandidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        };

        /// <summary>True when the host's libstdc++ defines <paramref name="version"/> (then no patch is needed).</summary>
        public static bool HostProvides(string version)
        {
            foreach (var path in LibStdCxxCandidates)
            {
                if (File.Exists(path) && IndexOf(File.ReadAllBytes(path), Encoding.ASCII.GetBytes(version + "\0")) >= 0)
                    return true;
            }
            return false;
        }

        /// <summary>Sets VER_FLG_WEAK on the requirement named <paramref name="version"/>; writes a new file
        /// and renames it over the old one, so a hard link into a package cache is never modified.</summary>
        public static ElfPatchOutcome PatchFile(string path, string version)
        {
            var bytes = File.ReadAllBytes(path);
            var outcome = Patch(bytes, version);
            if (outcome != ElfPatchOutcome.Patched) return outcome;
            // File.Copy keeps the mode bits; File.Replace is rename(2), so readers never see half a file.
            var temp = path + ".weak-tmp";
            File.Copy(path, temp, overwrite: true);
            using (var stream = new FileStream(temp, FileMode.Open, FileAccess.Write))
                stream.Write(bytes, 0, bytes.Length);
            File.Replace(temp, path, null);
            return outcome;
        }

        /// <summary>Patches an in-memory ELF64 little-endian image.</summary>
        public static ElfPatchOutcome Patch(byte[] elf, string version)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F'
                || elf[4] != 2 || elf[5] != 1)
                return ElfPatchOutcome.NotElf;
            var found = false;
            foreach (var flagsOffset in FindVernauxFlags(elf, version))
            {
                found = true;
                var flags = BitConverter.ToUInt16(elf, flagsOffset);
                if ((flags & VerFlagWeak) != 0) return ElfPatchOutcome.AlreadyWeak;
                BitConverter.GetBytes((ushort)(flags | VerFlagWeak)).CopyTo(elf, flagsOffset);
            }
            return found ? ElfPatchOutcome.Patched : ElfPatchOutcome.NotRequired;
        }

        /// <summary>File offsets of vna_flags of every Elf64_Vernaux named <paramref name="version"/>.</summary>
        public static List<int> FindVernauxFlags(byte[] elf, string version)
        {
            var result = new List<int>();
            var shoff = checked((int)BitConverter.ToUInt64(elf, 0x28));
            int shentsize = BitConverter.ToUInt16(elf, 0x3A), shnum = BitConverter.ToUInt16(elf, 0x3C);
            for (var i = 0; i < shnum; i++)
            {
                var sh = shoff + i * shentsize;
                if (BitConverter.ToUInt32(elf, sh + 4) != ShtGnuVerneed) continue;
                var offset = checked((int)BitConverter.ToUInt64(elf, sh + 0x18));
                var strtabHeader = shoff + (int)BitConverter.ToUInt32(elf, sh + 0x28) * shentsize;
                var strtab = checked((int)BitConverter.ToUInt64(elf, strtabHeader + 0x18));
                var count = BitConverter.ToUInt32(elf, sh + 0x2C);
                var need = offset;
                for (var n = 0; n < count; n++)
                {
                    int auxCount = BitConverter.ToUInt16(elf, need + 2);
                    var aux = need + (int)BitConverter.ToUInt32(elf, need + 8);
                    for (var a = 0; a < auxCount; a++)
                    {
                        if (ReadCString(elf, strtab + (int)BitConverter.ToUInt32(elf, aux + 8)) == version)
                            result.Add(aux + 4);
                        aux += (int)BitConverter.ToUInt32(elf, aux + 12);
                    }
                    need += (int)BitConverter.ToUInt32(elf, need + 12);
                }
            }
            return result;
        }

        private static string ReadCString(byte[] data, int start)
        {
            var end = Array.IndexOf(data, (byte)0, start);
            return Encoding.ASCII.GetString(data, start, (end < 0 ? data.Length : end) - start);
        }

        private static int IndexOf(byte[] haystack, byte[] needle)
        {
            for (var i = 0; i <= haystack.Length - needle.Length; i++)
            {
                var j = 0;
                while (j < needle.Length && haystack[i + j] == needle[j]) j++;
                if (j == needle.Length) return i;
            }
            return -1;
        }
    }

#if !ELF_PATCH_STANDALONE
    /// <summary>MSBuild task: patches every libLibTorchSharp.so under <see cref="Directories"/>.</summary>
    public class WeakenGlibcxxRequirement : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public string[] Directories { get; set; } = Array.Empty<string>();

        public override bool Execute()
        {
            if (!System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux) || ElfVersionNeeds.HostProvides(ElfVersionNeeds.Version)) return true;
            foreach (var dir in Directories)
            {
                if (string.IsNullOrEmpty(dir) || !Directory.Exists(dir)) continue;
                foreach (var file in Directory.EnumerateFiles(dir, "libLibTorchSharp.so", SearchOption.AllDirectories))
                {
                    var outcome = ElfVersionNeeds.PatchFile(file, ElfVersionNeeds.Version);
                    if (outcome == ElfPatchOutcome.Patched)
                        Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                            "Marked {0} weak in {1} (host libstdc++ lacks it).", ElfVersionNeeds.Version, file);
                }
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}
