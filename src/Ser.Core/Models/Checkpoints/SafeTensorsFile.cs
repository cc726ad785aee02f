using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Ser.Core.IO;
using static TorchSharp.torch;

namespace Ser.Core.Models.Checkpoints;

/// <summary>Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
/// <c>{name: {dtype, shape, data_offsets}}</c>, then raw little-endian tensor bytes.</summary>
public static class SafeTensorsFile
{
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    private static readonly Dictionary<string, (ScalarType Type, int Size)> DTypes = new()
    {
        ["F64"] = (ScalarType.Float64, 8), ["F32"] = (ScalarType.Float32, 4), ["F16"] = (ScalarType.Float16, 2),
        ["BF16"] = (ScalarType.BFloat16, 2), ["I64"] = (ScalarType.Int64, 8), ["I32"] = (ScalarType.Int32, 4),
        ["I16"] = (ScalarType.Int16, 2), ["I8"] = (ScalarType.Int8, 1), ["U8"] = (ScalarType.Byte, 1),
        ["BOOL"] = (ScalarType.Bool, 1),
    };

    /// <summary>Loads every tensor (on the CPU, in its stored dtype). The caller owns the tensors.</summary>
    /// <exception cref="CheckpointException">The file is not valid safetensors.</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        using var file = OpenRead(path);
        var (entries, dataStart) = ReadHeader(file, path);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, entry) in entries)
            {
                var buffer = new byte[entry.End - entry.Begin];
                file.Position = dataStart + entry.Begin;
                file.ReadExactly(buffer);
                var tensor = empty(entry.Shape, entry.Type);
                if (buffer.Length > 0) tensor.bytes = buffer;
                result[name] = tensor;
            }
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return result;
    }

    /// <summary>Writes <paramref name="tensors"/> atomically (temp file, fsync, rename), sorted by name.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var names = tensors.Keys.Order(StringComparer.Ordinal).ToArray();
        var header = new Dictionary<string, object>(StringComparer.Ordinal);
        if (metadata is not null) header["__metadata__"] = metadata;
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var name in names)
        {
            using var cpu = tensors[name].detach().cpu().contiguous();
            var dtype = DTypes.First(d => d.Value.Type == cpu.dtype).Key;
            var bytes = cpu.bytes.ToArray();
            header[name] = new { dtype, shape = cpu.shape, data_offsets = new[] { offset, offset + bytes.Length } };
            blobs.Add(bytes);
            offset += bytes.Length;
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        var padded = (json.Length + 7) / 8 * 8;
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            stream.Write(length);
            stream.Write(json);
            for (var i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var blob in blobs) stream.Write(blob);
        });
    }

    /// <summary>Names, dtypes and shapes without loading the data.</summary>
    public static IReadOnlyDictionary<string, (string DType, long[] Shape)> ReadIndex(string path)
    {
        using var file = OpenRead(path);
        return ReadHeader(file, path).Entries.ToDictionary(e => e.Key, e => (e.Value.DTypeName, e.Value.Shape), StringComparer.Ordinal);
    }

    private static FileStream OpenRead(string path)
    {
        try { return File.OpenRead(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"Cannot open checkpoint '{path}': {e.Message}", e);
        }
    }

    private sealed record Entry(string DTypeName, ScalarType Type, long[] Shape, long Begin, long End);

    private static (Dictionary<string, Entry> Entries, long DataStart) ReadHeader(FileStream file, string path)
    {
        Span<byte> lengthBytes = stackalloc byte[8];
        if (file.Length < 8 || file.Read(lengthBytes) != 8) throw Invalid(path, "shorter than its 8-byte header length");
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)Math.Min(MaxHeaderBytes, file.Length - 8)) throw Invalid(path, $"header length {headerLength} exceeds the file");
        var headerBytes = new byte[headerLength];
        file.ReadExactly(headerBytes);
        var dataLength = file.Length - 8 - (long)headerLength;
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(headerBytes);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__") continue;
                var dtypeName = property.Value.GetProperty("dtype").GetString() ?? "";
                if (!DTypes.TryGetValue(dtypeName, out var dtype)) throw Invalid(path, $"tensor '{property.Name}' has unsupported dtype {dtypeName}");
                var shape = property.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                var offsets = property.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                var expected = shape.Aggregate(1L, (a, b) => checked(a * b)) * dtype.Size;
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] > dataLength || offsets[1] - offsets[0] != expected)
                    throw Invalid(path, $"tensor '{property.Name}' has data offsets that do not fit its shape or the file");
                entries[property.Name] = new Entry(dtypeName, dtype.Type, shape, offsets[0], offsets[1]);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException or OverflowException)
        {
            throw Invalid(path, $"header is not valid JSON of the expected shape ({e.Message})");
        }
        return (entries, 8 + (long)headerLength);
    }

    private static CheckpointException Invalid(string path, string why) => new($"'{path}' is not a valid safetensors file: {why}.");
}
