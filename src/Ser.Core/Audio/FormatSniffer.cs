using System.Buffers.Binary;
using System.Text;

namespace Ser.Core.Audio;

/// <summary>Names what a non-WAV upload looks like, so the error can say "this is an MP3", not just "bad file".</summary>
public static class FormatSniffer
{
    /// <summary>A short name of the container or content type the bytes appear to hold, or null if unknown.</summary>
    public static string? Identify(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length >= 4 && bytes[..4].SequenceEqual("OggS"u8))
            return ContainsAscii(bytes, "OpusHead") ? "Ogg/Opus" : ContainsAscii(bytes, "vorbis") ? "Ogg/Vorbis" : "Ogg";
        if (bytes.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(bytes) == 0x1A45DFA3) return "WebM/Matroska";
        if (bytes.Length >= 8 && bytes[4..8].SequenceEqual("ftyp"u8)) return "MP4/M4A";
        if (bytes.Length >= 4 && bytes[..4].SequenceEqual("fLaC"u8)) return "FLAC";
        if (bytes.Length >= 3 && bytes[..3].SequenceEqual("ID3"u8)) return "MP3";
        if (bytes.Length >= 2 && bytes[0] == 0xFF && (bytes[1] & 0xE0) == 0xE0)
            return (bytes[1] & 0x06) == 0 ? "AAC (ADTS)" : "MP3";
        if (bytes.Length >= 4 && bytes[..4].SequenceEqual("FORM"u8)) return "AIFF";
        if (bytes.Length >= 4 && bytes[..4].SequenceEqual(".snd"u8)) return "Sun/NeXT AU";
        if (bytes.Length >= 4 && (bytes[..4].SequenceEqual("RIFX"u8) || bytes[..4].SequenceEqual("RF64"u8)))
            return bytes[..4].SequenceEqual("RIFX"u8) ? "big-endian RIFX WAV" : "RF64 WAV";
        if (bytes.Length >= 12 && bytes[..4].SequenceEqual("RIFF"u8))
            return $"RIFF '{Encoding.ASCII.GetString(bytes[8..12])}' (not WAVE)";
        if (IsMostlyText(bytes)) return "text";
        return null;
    }

    /// <summary>The message for a stream that is not RIFF/WAVE.</summary>
    public static string DescribeNonWave(ReadOnlySpan<byte> bytes)
    {
        var kind = Identify(bytes);
        return kind is null
            ? "The audio is not a RIFF/WAVE file."
            : $"The audio is not a RIFF/WAVE file; it looks like {kind}.";
    }

    private static bool ContainsAscii(ReadOnlySpan<byte> bytes, string text) =>
        bytes[..Math.Min(bytes.Length, 512)].IndexOf(Encoding.ASCII.GetBytes(text)) >= 0;

    private static bool IsMostlyText(ReadOnlySpan<byte> bytes)
    {
        var head = bytes[..Math.Min(bytes.Length, 512)];
        if (head.IsEmpty) return false;
        var printable = 0;
        foreach (var b in head)
            if (b is >= 0x20 and < 0x7f or (byte)'\n' or (byte)'\r' or (byte)'\t' || b >= 0x80) printable++;
        return printable >= head.Length * 0.95 && head.IndexOf((byte)0) < 0;
    }
}
