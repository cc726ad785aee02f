namespace Ser.Core.Audio;

/// <summary>Resamplers by rate pair, least recently used dropped once their full tap tables would pass a byte bound,
/// so a caller cycling through odd rates cannot grow it without limit.</summary>
internal sealed class ResamplerCache(long maxBytes)
{
    private readonly LinkedList<KaiserSincResampler> _entries = new();
    private readonly Lock _lock = new();

    public KaiserSincResampler Get(int inputRate, int outputRate)
    {
        lock (_lock)
        {
            for (var node = _entries.First; node is not null; node = node.Next)
            {
                if (node.Value.InputRate != inputRate || node.Value.OutputRate != outputRate) continue;
                _entries.Remove(node);
                _entries.AddFirst(node);
                return node.Value;
            }
            var created = new KaiserSincResampler(inputRate, outputRate);
            _entries.AddFirst(created);
            var total = _entries.Sum(e => e.FullTableBytes);
            while (total > maxBytes && _entries.Count > 1)
            {
                total -= _entries.Last!.Value.FullTableBytes;
                _entries.RemoveLast();
            }
            return created;
        }
    }

    public int Count
    {
        get
        {
            lock (_lock) return _entries.Count;
        }
    }
}
