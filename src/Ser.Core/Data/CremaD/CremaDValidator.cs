using System.Security.Cryptography;
using Ser.Core.Audio;
using Ser.Core.IO;

namespace Ser.Core.Data.CremaD;

/// <summary>Checks a mounted CREMA-D volume against the embedded manifest: missing, unexpected and wrong-size
/// files, SHA-256 on request, and whether each clip decodes. Never throws for a bad file: it reports it.</summary>
public static class CremaDValidator
{
    /// <param name="manifest">The files expected; CREMA-D's embedded manifest unless given.</param>
    /// <param name="progress">Told after each manifest file (phase <c>validate</c>).</param>
    public static VolumeValidation Validate(string root, bool verifyHashes = false, WavDecoder? decoder = null,
        IReadOnlyDictionary<string, CremaDMetadata.ManifestEntry>? manifest = null, IProgress<CountProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var folder = CremaDCorpus.AudioFolder(root);
        decoder ??= new WavDecoder();
        manifest ??= CremaDMetadata.Manifest;
        var present = Directory.EnumerateFiles(folder, "*.wav").ToDictionary(p => Path.GetFileName(p), p => p, StringComparer.Ordinal);
        var findings = new List<VolumeValidation.Finding>();
        var done = 0;
        foreach (var (file, entry) in manifest)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(new CountProgress("validate", done++, manifest.Count));
            if (!present.TryGetValue(file, out var path))
            {
                findings.Add(new(file, VolumeValidation.Status.Missing, entry.Bytes, null, "in the manifest, not on the volume"));
                continue;
            }
            var size = new FileInfo(path).Length;
            if (size != entry.Bytes)
                findings.Add(new(file, VolumeValidation.Status.WrongSize, entry.Bytes, size, "size differs from the manifest"));
            else if (verifyHashes && Sha256(path) != entry.Sha256)
                findings.Add(new(file, VolumeValidation.Status.WrongHash, entry.Bytes, size, "SHA-256 differs from the manifest"));
            if (file == CremaDMetadata.KnownBadClip + ".wav")
            {
                findings.Add(new(file, VolumeValidation.Status.Excluded, entry.Bytes, size, "known faulty clip of the public release; excluded from training"));
                continue;
            }
            try
            {
                decoder.Decode(File.ReadAllBytes(path));
            }
            catch (AudioFormatException e)
            {
                findings.Add(new(file, VolumeValidation.Status.Undecodable, entry.Bytes, size, e.Message));
            }
        }
        progress?.Report(new CountProgress("validate", manifest.Count, manifest.Count));
        foreach (var (file, path) in present.Where(p => !manifest.ContainsKey(p.Key)))
            findings.Add(new(file, VolumeValidation.Status.Unexpected, null, new FileInfo(path).Length, "not in the manifest"));
        return new VolumeValidation(Path.GetFullPath(root), manifest.Count, present.Keys.Count(manifest.ContainsKey), findings);
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
