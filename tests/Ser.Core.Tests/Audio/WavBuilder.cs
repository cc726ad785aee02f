using System.Buffers.Binary;
using System.Text;
using NAudio.Codecs;

namespace Ser.Core.Tests.Audio;

/// <summary>Builds WAV files byte by byte, including malformed ones, for decoder tests.</summary>
internal sealed class WavBuilder
{
    public ushort FormatTag { get; set; } = 1;
    public int Channels { get; set; } = 1;
    public int SampleRate { get; set; } = 16_000;
    public int Bits { get; set; } = 16;
    public bool Extensible { get; set; }
    public int? BlockAlignOverride { get; set; }
    public uint? RiffSizeOverride { get; set; }
    public uint? DataSizeOverride { get; set; }
    public bool WriteFmt { get; set; } = true;
    public bool WriteData { get; set; } = true;
    public List<(string Id, byte[] Body, bool Pad)> ChunksBeforeFmt { get; } = [];

    /// <summary>Encodes per-channel samples (in [-1, 1]) as the chosen format; frames interleaved.</summary>
    public byte[] Build(double[][] channels)
    {
        var frames = channels.Length == 0 ? 0 : channels[0].Length;
        var data = new MemoryStream();
        for (var f = 0; f < frames; f++)
            for (var c = 0; c < Channels; c++)
                data.Write(EncodeSample(channels[Math.Min(c, channels.Length - 1)][f]));
        return Build(data.ToArray());
    }

    public byte[] Build(double[] mono) => Build([mono]);

    /// <summary>Wraps already encoded sample bytes.</summary>
    public byte[] Build(byte[] data)
    {
        var body = new MemoryStream();
        body.Write("WAVE"u8);
        foreach (var (id, chunk, pad) in ChunksBeforeFmt) WriteChunk(body, id, chunk, (uint)chunk.Length, pad);
        if (WriteFmt) WriteChunk(body, "fmt ", FmtBody(), null, true);
        if (WriteData) WriteChunk(body, "data", data, DataSizeOverride, true);
        var riff = new MemoryStream();
        riff.Write("RIFF"u8);
        riff.Write(U32(RiffSizeOverride ?? (uint)body.Length));
        body.WriteTo(riff);
        return riff.ToArray();
    }

    private byte[] FmtBody()
    {
        var b = new MemoryStream();
        b.Write(U16(Extensible ? (ushort)0xFFFE : FormatTag));
        b.Write(U16((ushort)Channels));
        b.Write(U32((uint)SampleRate));
        var blockAlign = BlockAlignOverride ?? Channels * Bits / 8;
        b.Write(U32((uint)(SampleRate * blockAlign)));
        b.Write(U16((ushort)blockAlign));
        b.Write(U16((ushort)Bits));
        if (Extensible)
        {
            b.Write(U16(22));
            b.Write(U16((ushort)Bits));
            b.Write(U32(0));
            var guid = new byte[16];
            BinaryPrimitives.WriteUInt16LittleEndian(guid, FormatTag);
            new byte[] { 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71 }.CopyTo(guid, 2);
            b.Write(guid);
        }
        return b.ToArray();
    }

    private byte[] EncodeSample(double x)
    {
        var clamped = Math.Clamp(x, -1, 1);
        return (FormatTag, Bits) switch
        {
            (1, 8) => [(byte)Math.Clamp(Math.Round(clamped * 127) + 128, 0, 255)],
            (1, 16) => U16((ushort)(short)Math.Round(clamped * 32767)),
            (1, 24) => U32((uint)(int)Math.Round(clamped * 8388607))[..3],
            (1, 32) => U32((uint)(int)Math.Round(clamped * 2147483647)),
            (3, 32) => BitConverter.GetBytes((float)x),
            (3, 64) => BitConverter.GetBytes(x),
            (7, 8) => [MuLawEncoder.LinearToMuLawSample((short)Math.Round(clamped * 32767))],
            (6, 8) => [ALawEncoder.LinearToALawSample((short)Math.Round(clamped * 32767))],
            _ => new byte[Math.Max(Bits / 8, 1)],
        };
    }

    private static void WriteChunk(Stream s, string id, byte[] body, uint? size, bool pad)
    {
        s.Write(Encoding.ASCII.GetBytes(id));
        s.Write(U32(size ?? (uint)body.Length));
        s.Write(body);
        if (pad && body.Length % 2 == 1) s.WriteByte(0);
    }

    public static byte[] U16(ushort v)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        return b;
    }

    public static byte[] U32(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return b;
    }

    public static double[] Sine(double frequency, int rate, double seconds, double amplitude = 0.5)
    {
        var n = (int)Math.Round(rate * seconds);
        var x = new double[n];
        for (var i = 0; i < n; i++) x[i] = amplitude * Math.Sin(2 * Math.PI * frequency * i / rate);
        return x;
    }
}
