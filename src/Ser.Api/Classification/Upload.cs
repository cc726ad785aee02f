namespace Ser.Api.Classification;

/// <summary>The audio of one request, in one buffer sized from Content-Length when the client sends it (grown by
/// doubling otherwise), every byte of it reserved in the memory budget until disposed.</summary>
public sealed class Upload : IDisposable
{
    private const int FirstCapacity = 1 << 20;
    private readonly List<(string? FileName, int Offset, int Length)> _files = [];
    private readonly long _limit;
    private readonly long? _expected;
    private byte[] _buffer = [];
    private int _length;

    internal Upload(UploadBudget.Reservation reservation, long limit, long? expected)
    {
        Reservation = reservation;
        (_limit, _expected) = (limit, expected);
    }

    /// <summary>The request's share of the memory budget; decoding grows it by the decoded samples.</summary>
    public UploadBudget.Reservation Reservation { get; }

    public IReadOnlyList<(string? FileName, int Offset, int Length)> Files => _files;

    public string? FileName(int index) => _files[index].FileName;

    public ReadOnlySpan<byte> Bytes(int index) => _buffer.AsSpan(_files[index].Offset, _files[index].Length);

    internal async Task AppendAsync(Stream body, string? fileName, CancellationToken cancellationToken)
    {
        var start = _length;
        var probe = new byte[1];
        while (true)
        {
            if (_length == _buffer.Length)
            {
                // Full: read one byte before growing, so a body that fits exactly never doubles the buffer.
                var full = _buffer.Length > 0;
                if (full && await body.ReadAsync(probe, cancellationToken).ConfigureAwait(false) == 0) break;
                if (full && _length >= _limit) throw UploadReader.TooLarge(_limit);
                await GrowAsync(cancellationToken).ConfigureAwait(false);
                if (full) _buffer[_length++] = probe[0];
            }
            var read = await body.ReadAsync(_buffer.AsMemory(_length), cancellationToken).ConfigureAwait(false);
            if (read == 0) break;
            _length += read;
        }
        _files.Add((fileName, start, _length - start));
    }

    private async Task GrowAsync(CancellationToken cancellationToken)
    {
        var wanted = _buffer.Length == 0 ? (_expected is > 0 ? _expected.Value : FirstCapacity) : 2L * _buffer.Length;
        var capacity = (int)Math.Min(wanted, _limit);
        await Reservation.GrowAsync(capacity, cancellationToken).ConfigureAwait(false);
        var grown = GC.AllocateUninitializedArray<byte>(capacity);
        _buffer.AsSpan(0, _length).CopyTo(grown);
        var old = _buffer.Length;
        _buffer = grown;
        Reservation.Shrink(old);
    }

    public void Dispose() => Reservation.Dispose();
}
