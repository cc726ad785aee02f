using Ser.Core.Audio;

namespace Ser.Api.Classification;

/// <summary>The audio of one request in one buffer (sized from Content-Length, or the byte limit when the client does not
/// send it: pages never written are never resident), with its share of the memory budget: taken once before reading,
/// then settled to the bytes read and, once the headers are probed, to the samples they decode to.</summary>
public sealed class Upload : IDisposable
{
    // Decoding at most doubles the samples (8 kHz → 16 kHz) and turns each 8-bit sample into a 4-byte float.
    private const int WorstFloatBytesPerByte = 8;
    private readonly List<(string? FileName, int Offset, int Length)> _files = [];
    private readonly long _limit;
    private readonly double _maxAudioSeconds;
    private byte[] _buffer;
    private int _length;
    private long _decodeReserved;

    internal Upload(UploadBudget.Reservation reservation, int capacity, long limit, double maxAudioSeconds)
    {
        Reservation = reservation;
        (_limit, _maxAudioSeconds) = (limit, maxAudioSeconds);
        _buffer = GC.AllocateUninitializedArray<byte>(capacity);
        _decodeReserved = reservation.Bytes - capacity;
    }

    /// <summary>The request's share of the memory budget.</summary>
    public UploadBudget.Reservation Reservation { get; }

    public IReadOnlyList<(string? FileName, int Offset, int Length)> Files => _files;

    public ReadOnlySpan<byte> Bytes(int index) => _buffer.AsSpan(_files[index].Offset, _files[index].Length);

    /// <summary>What decoding <paramref name="bytes"/> of WAV may take at most, within <paramref name="maxAudioSeconds"/>.</summary>
    public static long DecodedBound(long bytes, double maxAudioSeconds) =>
        Math.Min(WorstFloatBytesPerByte * bytes, (long)Math.Ceiling(maxAudioSeconds * AudioOptions.ModelSampleRate) * sizeof(float));

    /// <summary>Keeps, for decoding, only what the probed headers say the files decode to.</summary>
    public void SettleDecoded(long decodedBytes)
    {
        var spare = Math.Max(0, _decodeReserved - decodedBytes);
        _decodeReserved -= spare;
        Reservation.Shrink(spare);
    }

    // After reading: the budget holds the bytes read, and the decode bound for that many.
    internal void Settle()
    {
        var keep = _length + DecodedBound(_length, _maxAudioSeconds);
        _decodeReserved = keep - _length;
        Reservation.Shrink(Reservation.Bytes - keep);
    }

    internal async Task AppendAsync(Stream body, string? fileName, CancellationToken cancellationToken)
    {
        var start = _length;
        var probe = new byte[1];
        while (true)
        {
            if (_length == _buffer.Length)
            {
                // Full: the body may only have ended exactly here.
                if (await body.ReadAsync(probe, cancellationToken).ConfigureAwait(false) == 0) break;
                throw UploadReader.TooLarge(_limit);
            }
            var read = await body.ReadAsync(_buffer.AsMemory(_length), cancellationToken).ConfigureAwait(false);
            if (read == 0) break;
            _length += read;
        }
        _files.Add((fileName, start, _length - start));
    }

    public void Dispose() => Reservation.Dispose();
}
