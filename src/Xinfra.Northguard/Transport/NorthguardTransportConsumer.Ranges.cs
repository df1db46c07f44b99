using Xinfra.Northguard.Client;
using Xinfra.Transport;

namespace Xinfra.Northguard.Transport;

/// <summary>One reader task per assigned range feeding the record channel; children start after their parents.</summary>
internal sealed partial class NorthguardTransportConsumer
{
    /// <summary>Start positions of assigned ranges, kept until the range starts (a child waits for its parents).</summary>
    private readonly Dictionary<ulong, long> _starts = [];
    private IReadOnlyList<NorthguardRange> _ranges = [];

    /// <summary>True when every parent of <paramref name="rangeId"/> was read to its end here (or no longer exists). Call under the lock.</summary>
    private bool ParentsDone(ulong rangeId)
    {
        var range = _ranges.FirstOrDefault(r => r.RangeId == rangeId);
        return range is null || range.Parents.All(p => _finished.Contains(p) || !_ranges.Any(r => r.RangeId == p));
    }

    /// <summary>Starts assigned ranges whose parents are done. Call under the lock.</summary>
    private void StartReadyRanges()
    {
        foreach (var (rangeId, offset) in _starts.ToArray())
        {
            if (!_readers.ContainsKey(rangeId) && !_finished.Contains(rangeId) && ParentsDone(rangeId))
            {
                _starts.Remove(rangeId);
                StartRange(rangeId, offset);
            }
        }
    }

    /// <summary>(Re)starts the reader of one range at <paramref name="offset"/>. Call under the lock.</summary>
    private void StartRange(ulong rangeId, long offset)
    {
        StopRange(rangeId);
        var reader = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        _readers[rangeId] = reader;
        _ = Task.Run(() => ReadRangeAsync(rangeId, offset, reader), CancellationToken.None);
    }

    /// <summary>Stops the reader of one range; its records still in the channel are dropped. Call under the lock.</summary>
    private void StopRange(ulong rangeId)
    {
        if (_readers.Remove(rangeId, out var previous))
        {
            previous.Cancel();
            previous.Dispose();
        }
    }

    private async Task ReadRangeAsync(ulong rangeId, long offset, CancellationTokenSource reader)
    {
        var partition = new TopicPartition(_topic.Name, (long)rangeId);
        CancellationToken cancellationToken;
        try
        {
            cancellationToken = reader.Token;
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        try
        {
            await foreach (var consumed in _transport.Reader.ConsumeRangeAsync(_topic.Name, rangeId, offset, cancellationToken).ConfigureAwait(false))
            {
                var record = consumed.Record;
                var headers = new XinfraHeader[record.Headers?.Count ?? 0];
                for (var i = 0; i < headers.Length; i++)
                {
                    headers[i] = new XinfraHeader(record.Headers![i].Name, record.Headers[i].Value);
                }

                var incoming = new IncomingRecord(_transport.Cluster, new TopicPartitionOffset(partition, consumed.Offset), record.Key, record.Value, headers, DateTimeOffset.FromUnixTimeMilliseconds(record.Timestamp));
                await _records.Writer.WriteAsync((incoming, reader), cancellationToken).ConfigureAwait(false);
            }

            // The range is retired and read to its end: start children whose parents are all done.
            await OnRangeFinishedAsync(rangeId, reader, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (XinfraException ex)
        {
            _records.Writer.TryComplete(ex);
        }
    }

    private async Task OnRangeFinishedAsync(ulong rangeId, CancellationTokenSource reader, CancellationToken cancellationToken)
    {
        var ranges = await _transport.Reader.GetRangesAsync(_topic.Name, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (!_readers.TryGetValue(rangeId, out var current) || !ReferenceEquals(current, reader))
            {
                return;
            }

            _ranges = ranges;
            _finished.Add(rangeId);
            StartReadyRanges();
        }
    }
}
