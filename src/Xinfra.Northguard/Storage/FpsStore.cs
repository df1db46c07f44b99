using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xinfra.Northguard.Storage.Devices;
using Xinfra.Northguard.Storage.Format;
using Xinfra.Northguard.Storage.Index;
using Xinfra.Northguard.Storage.Segments;
using Xinfra.Northguard.Storage.Wal;

namespace Xinfra.Northguard.Storage;

/// <summary>
/// The fps-store: segment storage with a broker-wide group-committed write-ahead log, one file per segment, a sparse
/// index and crash recovery. <see cref="Append"/> assigns offsets and returns at once; <see cref="WaitForDurableAsync"/>
/// completes when the WAL fsync covering those offsets is done. Open with <see cref="OpenAsync"/>.
/// </summary>
public sealed partial class FpsStore : IAsyncDisposable
{
    private readonly IStorageDevice _device;
    private readonly ISparseIndex _index;
    private readonly FpsStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _appendLock = new();
    private readonly Lock _maintenanceLock = new();
    private readonly ConcurrentDictionary<long, Segment> _segments = new();
    private readonly ConcurrentDictionary<long, (long Low, long High)> _deleted = new();
    private readonly CancellationTokenSource _stop = new();
    private CommitGroup _current = new();
    private IStorageFile? _wal;
    private long _walSequence;
    private Task _flusher = Task.CompletedTask;
    private Exception? _failure;
    private bool _stopping;

    private FpsStore(IStorageDevice device, ISparseIndex index, FpsStoreOptions options, TimeProvider time, ILogger logger)
    {
        _device = device;
        _index = index;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>The I/O mode of the underlying device.</summary>
    public StorageIoMode IoMode => _device.IoMode;

    /// <summary>
    /// Opens a store on <paramref name="device"/>: recovers every segment, replays the WAL (cutting torn tails), and
    /// starts the group-commit flusher driven by <paramref name="timeProvider"/>.
    /// </summary>
    public static ValueTask<FpsStore> OpenAsync(
        IStorageDevice device,
        ISparseIndex index,
        FpsStoreOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<FpsStore>? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(index);
        options ??= FpsStoreOptions.Default;
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        var store = new FpsStore(device, index, options, timeProvider ?? TimeProvider.System, logger ?? NullLogger<FpsStore>.Instance);
        try
        {
            store.Recover();
        }
        catch
        {
            store.CloseFiles();
            throw;
        }

        if (options.ManualFlush)
        {
            return ValueTask.FromResult(store);
        }

        store._flusher = store.StartPipeline();
        return ValueTask.FromResult(store);
    }

    /// <summary>Creates an empty segment whose first record will get <paramref name="baseOffset"/>; durable on return.</summary>
    public void CreateSegment(long segmentId, string topic, long baseOffset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(segmentId);
        ArgumentOutOfRangeException.ThrowIfNegative(baseOffset);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        if (System.Text.Encoding.UTF8.GetByteCount(topic) > SegmentHeader.MaxTopicBytes)
        {
            throw new ArgumentException($"Topic names are limited to {SegmentHeader.MaxTopicBytes} UTF-8 bytes.", nameof(topic));
        }

        lock (_maintenanceLock)
        {
            ThrowIfUnavailable();
            if (_segments.ContainsKey(segmentId) || _deleted.ContainsKey(segmentId))
            {
                throw new InvalidOperationException($"Segment {segmentId} already exists (or existed) in this store.");
            }

            var header = new SegmentHeader(segmentId, baseOffset, _time.GetUtcNow().ToUnixTimeMilliseconds(), topic);
            _segments[segmentId] = Segment.Create(_device, header, _options);
        }
    }

    /// <summary>Describes a segment, or returns null when the store does not hold it.</summary>
    public SegmentInfo? GetSegment(long segmentId)
    {
        if (!_segments.TryGetValue(segmentId, out var s))
        {
            return null;
        }

        var view = s.View;
        return new SegmentInfo(s.Id, s.Header.Topic, s.Header.BaseOffset, view.Next, s.IsDeleted ? 0 : s.File.Length, s.IsSealed, view.MaxTimestamp);
    }

    /// <summary>The ids of the segments the store holds.</summary>
    public IReadOnlyList<long> ListSegments() => [.. _segments.Keys.Order()];

    /// <summary>Flushes pending appends, stops the flusher and closes every file.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_appendLock)
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
            _current.HasWork.TrySetResult();
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_options.ManualFlush)
        {
            CommitCurrentGroup();
        }

        await _flusher.ConfigureAwait(false);
        await _checkpoint.ConfigureAwait(false);
        CloseFiles();
        _stop.Dispose();
    }

    private void CloseFiles()
    {
        lock (_maintenanceLock)
        {
            foreach (var s in _segments.Values)
            {
                s.Dispose();
            }

            _wal?.Dispose();
        }
    }

    private void ThrowIfUnavailable()
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        if (_failure is { } f)
        {
            throw new StorageFailedException("The store's write-ahead log failed earlier; it accepts no more writes until reopened.", f);
        }
    }

    private Segment GetSegmentOrThrow(long segmentId) =>
        _segments.TryGetValue(segmentId, out var s) && !s.IsDeleted ? s : throw new SegmentNotFoundException(segmentId);
}
