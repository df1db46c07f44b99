using Xinfra.Northguard.Client;
using Xinfra.Transport;

namespace Xinfra.Northguard.Transport;

/// <summary>Joining (every range is this member's), and one reader task per range feeding the record channel.</summary>
internal sealed partial class NorthguardTransportConsumer
{
    private IReadOnlyList<NorthguardRange> _ranges = [];

    private async Task JoinAsync(CancellationToken cancellationToken)
    {
        _ranges = await _transport.Reader.GetRangesAsync(_topic.Name, cancellationToken).ConfigureAwait(false);
        var partitions = _ranges.Select(r => new TopicPartition(_topic.Name, (long)r.RangeId)).ToList();
        var starts = new Dictionary<ulong, long>();
        foreach (var range in _ranges)
        {
            var committed = await _transport.Reader.FetchPositionAsync(_spec.GroupId, _topic.Name, range.RangeId, cancellationToken).ConfigureAwait(false);
            starts[range.RangeId] = committed ?? (_spec.AutoOffsetReset == AutoOffsetReset.Earliest
                ? 0
                : await _transport.HighWatermarkAsync(_topic, range.RangeId, cancellationToken).ConfigureAwait(false));
        }

        lock (_lock)
        {
            _assignment = partitions;
            _joined = true;
        }

        _pendingStarts = starts;
        _spec.Listener?.OnAssigned(this, partitions);
        lock (_lock)
        {
            foreach (var range in _ranges)
            {
                if (range.Parents.Count == 0 && !_readers.ContainsKey(range.RangeId))
                {
                    StartRange(range.RangeId, _pendingStarts.GetValueOrDefault(range.RangeId));
                }
            }
        }
    }

    private Dictionary<ulong, long> _pendingStarts = [];

    /// <summary>(Re)starts the reader of one range at <paramref name="offset"/>. Call under the lock.</summary>
    private void StartRange(ulong rangeId, long offset)
    {
        if (_readers.Remove(rangeId, out var previous))
        {
            previous.Cancel();
            previous.Dispose();
        }

        var reader = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        _readers[rangeId] = reader;
        _ = Task.Run(() => ReadRangeAsync(rangeId, offset, reader.Token), CancellationToken.None);
    }

    private async Task ReadRangeAsync(ulong rangeId, long offset, CancellationToken cancellationToken)
    {
        var partition = new TopicPartition(_topic.Name, (long)rangeId);
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

                await _records.Writer.WriteAsync(
                    new IncomingRecord(_transport.Cluster, new TopicPartitionOffset(partition, consumed.Offset), record.Key, record.Value, headers, DateTimeOffset.FromUnixTimeMilliseconds(record.Timestamp)),
                    cancellationToken).ConfigureAwait(false);
            }

            // The range is retired and read to its end: start children whose parents are all done.
            OnRangeFinished(rangeId);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (XinfraException ex)
        {
            _records.Writer.TryComplete(ex);
        }
    }

    private void OnRangeFinished(ulong rangeId)
    {
        var ranges = _transport.Reader.GetRangesAsync(_topic.Name, _stop.Token).GetAwaiter().GetResult();
        lock (_lock)
        {
            _finished.Add(rangeId);
            foreach (var child in ranges.Where(r => r.Parents.Contains(rangeId)))
            {
                if (child.Parents.All(_finished.Contains) && !_readers.ContainsKey(child.RangeId))
                {
                    var tp = new TopicPartition(_topic.Name, (long)child.RangeId);
                    if (!_assignment.Contains(tp))
                    {
                        _assignment = [.. _assignment, tp];
                    }

                    StartRange(child.RangeId, _pendingStarts.GetValueOrDefault(child.RangeId));
                }
            }
        }
    }
}
