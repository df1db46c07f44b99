using Xinfra.Northguard.Storage.Devices;
using Xinfra.Northguard.Storage.Format;
using Xinfra.Northguard.Storage.Index;
using Xinfra.Northguard.Storage.Wal;

namespace Xinfra.Northguard.Storage.Segments;

/// <summary>What readers may see of a segment: offsets below <paramref name="Next"/>, bytes below <paramref name="Length"/>.</summary>
internal sealed record SegmentView(long Next, long Length, long MaxTimestamp);

/// <summary>
/// One segment file and its state. Append-side fields are guarded by the store's append lock; apply-side fields are
/// touched only by the flusher (or recovery, or seal once appends stopped); readers see only <see cref="View"/>.
/// </summary>
internal sealed partial class Segment : IDisposable
{
    private readonly int _indexIntervalBytes;
    private long _bytesSinceIndex = long.MaxValue;
    private volatile SegmentView _view;
    private volatile CorruptDataException? _refusal;
    private int _tailReaders;
    private bool _dirty;

    public Segment(IStorageFile file, SegmentHeader header, int indexIntervalBytes, int tailCacheBytes)
    {
        File = file;
        Header = header;
        _indexIntervalBytes = indexIntervalBytes;
        Tail = new TailCache(tailCacheBytes);
        _view = new SegmentView(header.BaseOffset, SegmentHeader.Size, long.MinValue);
        AssignedNext = header.BaseOffset;
    }

    public static string FileName(long segmentId) => $"seg-{segmentId:D19}.ngs";

    public IStorageFile File { get; }

    public SegmentHeader Header { get; }

    public long Id => Header.SegmentId;

    public SegmentView View => _view;

    public TailCache Tail { get; }

    /// <summary>The next offset an append gets (append lock).</summary>
    public long AssignedNext { get; set; }

    /// <summary>Appended groups not yet known durable, oldest first (append lock).</summary>
    public List<(long LastOffset, CommitGroup Group)> Pending { get; } = [];

    /// <summary>A seal has started: no more appends (append lock).</summary>
    public bool SealRequested { get; set; }

    public bool IsSealed { get; private set; }

    public bool IsDeleted { get; set; }

    /// <summary>Bytes were written since the file was last fsynced (set by the flusher, cleared by a checkpoint).</summary>
    public bool Dirty
    {
        get => Volatile.Read(ref _dirty);
        set => Volatile.Write(ref _dirty, value);
    }

    public CorruptDataException? Refusal => _refusal;

    public bool HasTailReaders => Volatile.Read(ref _tailReaders) > 0;

    /// <summary>Marks the segment unservable; the first reason wins.</summary>
    public void Refuse(CorruptDataException reason) => Interlocked.CompareExchange(ref _refusal, reason, null);

    public void AddTailReader() => Interlocked.Increment(ref _tailReaders);

    public void RemoveTailReader()
    {
        if (Interlocked.Decrement(ref _tailReaders) == 0)
        {
            Tail.Clear();
        }
    }

    /// <summary>Writes a durable batch at the end of the file and publishes it to readers.</summary>
    public void Apply(ReadOnlySpan<byte> batch, List<IndexEntry> index)
    {
        BatchHeader.TryRead(batch, out var header);
        var position = File.Length;
        File.Append(batch);
        Dirty = true;
        Track(header, position, index);
        if (HasTailReaders)
        {
            Tail.Add(header.BaseOffset, header.NextOffset, batch.ToArray());
        }

        _view = new SegmentView(header.NextOffset, position + header.Length, Math.Max(_view.MaxTimestamp, header.MaxTimestamp));
    }

    /// <summary>Writes the seal footer and makes the file durable; appends must have stopped and be applied.</summary>
    public SealRecord Seal(long sealedAt)
    {
        var view = _view;
        Span<byte> footer = stackalloc byte[SegmentFooter.Size];
        new SegmentFooter(view.Next, view.Length, view.MaxTimestamp, sealedAt).Write(footer);
        File.Append(footer);
        File.Flush();
        Dirty = false;
        IsSealed = true;
        return new SealRecord(view.Next, File.Length);
    }

    public void Dispose() => File.Dispose();

    /// <summary>Adds an index point every <c>IndexIntervalBytes</c> (and for the first batch).</summary>
    private void Track(BatchHeader header, long position, List<IndexEntry> index)
    {
        if (_bytesSinceIndex >= _indexIntervalBytes)
        {
            index.Add(new IndexEntry(Id, header.BaseOffset, position, _view.MaxTimestamp));
            _bytesSinceIndex = 0;
        }

        _bytesSinceIndex += header.Length;
    }
}
