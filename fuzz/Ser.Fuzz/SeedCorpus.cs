using System.Text;
using Ser.Core.Tests.Audio;

namespace Ser.Fuzz;

/// <summary>Small valid WAVs of every encoding and header quirk the decoder accepts, and uploads that carry them.</summary>
public static class SeedCorpus
{
    private const int Frames = 48;

    public static void Write(string dir)
    {
        var wavs = Wavs().ToList();
        Save(Path.Combine(dir, "wav"), wavs);
        Save(Path.Combine(dir, "upload"), Uploads(wavs));
    }

    private static IEnumerable<(string Name, byte[] Bytes)> Wavs()
    {
        (ushort Tag, int Bits)[] encodings = [(1, 8), (1, 16), (1, 24), (1, 32), (3, 32), (3, 64), (7, 8), (6, 8)];
        int[] rates = [8_000, 11_025, 16_000, 22_050, 44_100, 48_000];
        var i = 0;
        foreach (var (tag, bits) in encodings)
        {
            // Each encoding at two rates and channel counts, so every pair appears without multiplying the corpus.
            var rate = rates[i % rates.Length];
            yield return ($"fmt{tag}-{bits}bit-{rate}-mono", Build(new() { FormatTag = tag, Bits = bits, SampleRate = rate }));
            rate = rates[(i + 3) % rates.Length];
            var channels = 2 + i % 3;
            yield return ($"fmt{tag}-{bits}bit-{rate}-{channels}ch",
                Build(new() { FormatTag = tag, Bits = bits, SampleRate = rate, Channels = channels }));
            i++;
        }
        yield return ("extensible-pcm16", Build(new() { Extensible = true }));
        yield return ("extensible-float32-2ch", Build(new() { Extensible = true, FormatTag = 3, Bits = 32, Channels = 2 }));
        yield return ("extensible-pcm24-6ch", Build(new() { Extensible = true, Bits = 24, Channels = 6 }));
        yield return ("rate-192000", Build(new() { SampleRate = 192_000 }));
        yield return ("rate-8-channels", Build(new() { Channels = 8, Bits = 8 }));
        yield return ("odd-rate-12345", Build(new() { SampleRate = 12_345, Bits = 8 }));
        yield return ("riff-size-0", Build(new() { RiffSizeOverride = 0 }));
        yield return ("riff-size-max", Build(new() { RiffSizeOverride = uint.MaxValue }));
        yield return ("data-size-0-streaming", Build(new() { DataSizeOverride = 0 }));
        yield return ("data-size-max-streaming", Build(new() { DataSizeOverride = uint.MaxValue }));
        yield return ("list-and-junk-before-fmt", Build(Chunks(("LIST", 26, true), ("junk", 12, true))));
        yield return ("odd-chunk-padded", Build(Chunks(("junk", 7, true))));
        yield return ("odd-chunk-unpadded", Build(Chunks(("junk", 7, false))));
        yield return ("partial-frame", new WavBuilder { Channels = 2 }.Build(new byte[4 * Frames + 3]));
        var trailing = new List<byte>(Build(new()));
        trailing.AddRange("LIST\u0004\0\0\0INFO"u8.ToArray());
        yield return ("chunk-after-data", [.. trailing]);
    }

    private static WavBuilder Chunks(params (string Id, int Size, bool Pad)[] chunks)
    {
        var builder = new WavBuilder();
        foreach (var (id, size, pad) in chunks) builder.ChunksBeforeFmt.Add((id, Encoding.ASCII.GetBytes(new string('x', size)), pad));
        return builder;
    }

    private static byte[] Build(WavBuilder builder) =>
        builder.Build(WavBuilder.Sine(440, builder.SampleRate, (double)Frames / builder.SampleRate, 0.6));

    private static IEnumerable<(string Name, byte[] Bytes)> Uploads(List<(string Name, byte[] Bytes)> wavs)
    {
        var wav = wavs[1].Bytes;
        yield return ("raw-audio-wav", Upload("audio/wav", wav));
        yield return ("raw-octet-stream-params", Upload("application/octet-stream; charset=binary", wav));
        yield return ("raw-no-type", Upload("", wav));
        yield return ("raw-text-plain", Upload("text/plain", "hello"u8.ToArray()));
        yield return ("form-urlencoded", Upload("application/x-www-form-urlencoded", "file=abc&x=%41"u8.ToArray()));
        yield return ("multipart-file", Multipart("b0undary", Part("file", "clip.wav", "audio/wav", wav)));
        yield return ("multipart-quoted-boundary", Multipart("\"quoted b\"", Part("file", "a.wav", null, wavs[4].Bytes)));
        yield return ("multipart-path-like-name", Multipart("xyz", Part("file", "../../etc/passwd", "audio/wav", wavs[6].Bytes)));
        yield return ("multipart-two-parts", Multipart("xyz", Part("note", null, "text/plain", "hi"u8.ToArray()), Part("file", "b.wav", null, wav)));
        yield return ("multipart-no-file-part", Multipart("xyz", Part("other", "c.wav", "audio/wav", wav)));
    }

    private static byte[] Upload(string type, byte[] body) => [.. Encoding.Latin1.GetBytes(type + "\n"), .. body];

    private static byte[] Part(string name, string? fileName, string? type, byte[] body)
    {
        var head = $"Content-Disposition: form-data; name=\"{name}\"" + (fileName is null ? "" : $"; filename=\"{fileName}\"") + "\r\n"
            + (type is null ? "" : $"Content-Type: {type}\r\n") + "\r\n";
        return [.. Encoding.ASCII.GetBytes(head), .. body];
    }

    private static byte[] Multipart(string boundary, params byte[][] parts)
    {
        var bare = boundary.Trim('"');
        var body = new List<byte>();
        foreach (var part in parts)
        {
            body.AddRange(Encoding.ASCII.GetBytes($"--{bare}\r\n"));
            body.AddRange(part);
            body.AddRange("\r\n"u8.ToArray());
        }
        body.AddRange(Encoding.ASCII.GetBytes($"--{bare}--\r\n"));
        return Upload($"multipart/form-data; boundary={boundary}", [.. body]);
    }

    private static void Save(string dir, IEnumerable<(string Name, byte[] Bytes)> files)
    {
        Directory.CreateDirectory(dir);
        foreach (var (name, bytes) in files) File.WriteAllBytes(Path.Combine(dir, name), bytes);
    }
}
