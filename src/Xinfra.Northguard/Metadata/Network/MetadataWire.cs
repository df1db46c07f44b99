using Grpc.Core;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.Service;
using Xinfra.Northguard.Metadata.StateMachine;
using Wire = Xinfra.Northguard.Protocol.Metadata;

namespace Xinfra.Northguard.Metadata.Network;

/// <summary>Maps metadata model types and errors to and from their wire form.</summary>
internal static class MetadataWire
{
    public const string NoProxyHeader = "ng-no-proxy";
    public const string ErrorTrailer = "ng-error";
    public const string VnodeTrailer = "ng-vnode";
    public const string LeaderTrailer = "ng-leader";
    public const string LeaderEndpointTrailer = "ng-leader-endpoint";

    public static Wire.StoragePolicyMessage ToWire(StoragePolicy p) => new()
    {
        ReplicationFactor = p.ReplicationFactor,
        RetentionTimeMs = p.RetentionTime is { } t ? (long)t.TotalMilliseconds : -1,
        RetentionBytes = p.RetentionBytes ?? -1,
        SegmentBytes = p.SegmentBytes,
        SegmentAgeMs = (long)p.SegmentAge.TotalMilliseconds,
    };

    public static StoragePolicy FromWire(Wire.StoragePolicyMessage? p) => p is null ? StoragePolicy.Default : new StoragePolicy
    {
        ReplicationFactor = p.ReplicationFactor,
        RetentionTime = p.RetentionTimeMs < 0 ? null : TimeSpan.FromMilliseconds(p.RetentionTimeMs),
        RetentionBytes = p.RetentionBytes < 0 ? null : p.RetentionBytes,
        SegmentBytes = p.SegmentBytes,
        SegmentAge = TimeSpan.FromMilliseconds(p.SegmentAgeMs),
    };

    public static Wire.SegmentRef ToWire(SegmentId s) => new() { Range = s.Range.Value, Sequence = s.Sequence };

    public static SegmentId FromWire(Wire.SegmentRef? s) =>
        s is null ? throw new RpcException(new Status(StatusCode.InvalidArgument, "A segment id is required.")) : new(new RangeId(s.Range), s.Sequence);

    public static Wire.TopicDescriptionMessage ToWire(TopicDescription d)
    {
        var wire = new Wire.TopicDescriptionMessage { Name = d.Topic.Name, Policy = ToWire(d.Topic.Policy) };
        wire.RangeIds.AddRange(d.Topic.Ranges.Select(r => r.Value));
        foreach (var r in d.Ranges)
        {
            var range = new Wire.RangeMessage { Id = r.Id.Value, KeyStart = r.KeyStart, KeyEnd = r.KeyEnd, State = (uint)r.State, SegmentCount = r.SegmentCount };
            range.Parents.AddRange(r.Parents.Select(p => p.Value));
            range.Children.AddRange(r.Children.Select(c => c.Value));
            wire.Ranges.Add(range);
        }

        foreach (var s in d.Segments)
        {
            var segment = new Wire.SegmentMessage { Id = ToWire(s.Id), State = (uint)s.State, EndOffset = s.EndOffset };
            segment.Replicas.AddRange(s.Replicas);
            wire.Segments.Add(segment);
        }

        return wire;
    }

    public static Wire.UnderReplicatedMessage ToWire(UnderReplicatedSegment u)
    {
        var segment = new Wire.SegmentMessage { Id = ToWire(u.Segment.Id), State = (uint)u.Segment.State, EndOffset = u.Segment.EndOffset };
        segment.Replicas.AddRange(u.Segment.Replicas);
        return new Wire.UnderReplicatedMessage { Topic = u.Topic, Segment = segment, BaseOffset = u.BaseOffset };
    }

    public static UnderReplicatedSegment FromWire(Wire.UnderReplicatedMessage w) =>
        new(w.Topic, new SegmentInfo(FromWire(w.Segment.Id), (SegmentState)w.Segment.State, [.. w.Segment.Replicas], w.Segment.EndOffset), w.BaseOffset);

    public static TopicDescription FromWire(Wire.TopicDescriptionMessage w)
    {
        var topic = new TopicInfo(w.Name, FromWire(w.Policy), [.. w.RangeIds.Select(r => new RangeId(r))]);
        var ranges = w.Ranges.Select(r => new RangeInfo(new RangeId(r.Id), w.Name, r.KeyStart, r.KeyEnd, (RangeState)r.State,
            [.. r.Parents.Select(p => new RangeId(p))], [.. r.Children.Select(c => new RangeId(c))], r.SegmentCount)).ToList();
        var segments = w.Segments.Select(s => new SegmentInfo(FromWire(s.Id), (SegmentState)s.State, [.. s.Replicas], s.EndOffset)).ToList();
        return new TopicDescription(topic, ranges, segments);
    }

    public static Wire.ExportVnodesResponse ToWire(MetadataExport e)
    {
        var wire = new Wire.ExportVnodesResponse();
        wire.Vnodes.AddRange(e.Vnodes.Select(v => (uint)v));
        wire.Topics.AddRange(e.Topics.Select(ToWire));
        wire.Acls.AddRange(e.Acls.Select(a => new Wire.AclEntryMessage { Topic = a.Topic, Principal = a.Principal, Operations = (uint)a.Operations }));
        wire.Documents.AddRange(e.Documents.Select(d => new Wire.DocumentMessage
        {
            Key = d.Key,
            Version = d.Version,
            Content = Google.Protobuf.ByteString.CopyFrom(d.Content.Span),
        }));
        return wire;
    }

    public static MetadataExport FromWire(Wire.ExportVnodesResponse w) => new(
        [.. w.Vnodes.Select(v => (int)v)],
        [.. w.Topics.Select(FromWire)],
        [.. w.Acls.Select(a => new AclEntry(a.Topic, a.Principal, (AclOperations)a.Operations))],
        [.. w.Documents.Select(d => new ConfigDocument(d.Key, d.Version, d.Content.ToByteArray()))]);

    /// <summary>The gRPC form of a metadata error; other exceptions are not mapped.</summary>
    public static RpcException? ToRpc(Exception e, Func<ulong, string?> endpointOf)
    {
        var trailers = new Grpc.Core.Metadata();
        StatusCode code;
        switch (e)
        {
            case NotLeaderException n:
                code = StatusCode.FailedPrecondition;
                trailers.Add(ErrorTrailer, "not-leader");
                trailers.Add(VnodeTrailer, n.Vnode.ToString(System.Globalization.CultureInfo.InvariantCulture));
                trailers.Add(LeaderTrailer, n.LeaderHint.ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (n.LeaderHint != 0 && endpointOf(n.LeaderHint) is { } endpoint)
                {
                    trailers.Add(LeaderEndpointTrailer, endpoint);
                }

                break;
            case TopicExistsException:
                code = StatusCode.AlreadyExists;
                trailers.Add(ErrorTrailer, "topic-exists");
                break;
            case UnknownTopicException:
                code = StatusCode.NotFound;
                trailers.Add(ErrorTrailer, "unknown-topic");
                break;
            case DocumentVersionMismatchException:
                code = StatusCode.Aborted;
                trailers.Add(ErrorTrailer, "version-mismatch");
                break;
            case MetadataRequestException or ArgumentException:
                code = StatusCode.InvalidArgument;
                trailers.Add(ErrorTrailer, "request");
                break;
            case MetadataUnavailableException or OperationCanceledException:
                code = StatusCode.Unavailable;
                trailers.Add(ErrorTrailer, "unavailable");
                break;
            case RpcException rpc:
                return rpc;
            default:
                return null;
        }

        return new RpcException(new Status(code, e.Message), trailers);
    }

    /// <summary>The metadata exception a gRPC error stands for (the <see cref="RpcException"/> itself when none).</summary>
    public static Exception FromRpc(RpcException e, string? topic)
    {
        string? kind = e.Trailers.GetValue(ErrorTrailer);
        string message = e.Status.Detail;
        switch (kind)
        {
            case "not-leader":
                int vnode = int.Parse(e.Trailers.GetValue(VnodeTrailer) ?? "0", System.Globalization.CultureInfo.InvariantCulture);
                ulong leader = ulong.Parse(e.Trailers.GetValue(LeaderTrailer) ?? "0", System.Globalization.CultureInfo.InvariantCulture);
                return new NotLeaderException(message, vnode, leader) { Topic = topic };
            case "topic-exists":
                return new TopicExistsException(message) { Topic = topic };
            case "unknown-topic":
                return new UnknownTopicException(message) { Topic = topic };
            case "version-mismatch":
                return new DocumentVersionMismatchException(message);
            case "request":
                return new MetadataRequestException(message) { Topic = topic };
            case "denied" or "unauthenticated":
                return Security.SecurityErrors.ToException(e, topic);
            default:
                return e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled
                    ? new MetadataUnavailableException(message, e) { Topic = topic }
                    : e;
        }
    }
}
