using System.Text;
using Grpc.Core;
using Xinfra.Northguard.Metadata.Service;
using Xinfra.Northguard.Protocol.Config;
using Wire = Xinfra.Northguard.Protocol.Config.ConfigService;

namespace Xinfra.Northguard.ConfigService;

/// <summary>
/// The <c>ConfigService</c> gRPC service every broker hosts: documents live in the replicated metadata (any broker
/// proxies to the vnode leader). <c>Watch</c> polls the store every <see cref="ConfigServiceOptions.PollInterval"/>
/// on the broker's clock (see docs/decisions/0003-config-service.md for why polling rather than apply hooks).
/// </summary>
internal sealed class ConfigGrpcService(IMetadataService metadata, ConfigServiceOptions options, TimeProvider timeProvider) : Wire.ConfigServiceBase
{
    public override async Task<ConfigDocumentMessage> Get(GetConfigRequest request, ServerCallContext context)
    {
        var key = Key(request.Name);
        var document = await Read(key, context.CancellationToken).ConfigureAwait(false)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"Config document '{request.Name}' does not exist."));
        return Message(request.Name, document);
    }

    public override async Task<PutConfigResponse> Put(PutConfigRequest request, ServerCallContext context)
    {
        var key = Key(request.Name);
        var errors = XinfraConfigDocument.Validate(request.Content);
        if (errors.Count > 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"Config document '{request.Name}' is invalid; the stored version is kept:{Environment.NewLine}{string.Join(Environment.NewLine, errors.Select(e => "  - " + e))}"));
        }

        if (request.DryRun)
        {
            return new PutConfigResponse { Version = 0, Checksum = XinfraConfigDocument.Checksum(request.Content) };
        }

        try
        {
            var version = await metadata.PutDocumentAsync(key, Encoding.UTF8.GetBytes(request.Content), request.ExpectedVersion, context.CancellationToken).ConfigureAwait(false);
            return new PutConfigResponse { Version = version, Checksum = XinfraConfigDocument.Checksum(request.Content) };
        }
        catch (DocumentVersionMismatchException ex)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"Config document '{request.Name}': {ex.Message}"));
        }
        catch (Exception ex) when (ex is XinfraException or RpcException or TimeoutException && !context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"Config document '{request.Name}' could not be written now: {ex.Message}"));
        }
    }

    public override async Task Watch(WatchConfigRequest request, IServerStreamWriter<ConfigDocumentMessage> responseStream, ServerCallContext context)
    {
        var key = Key(request.Name);
        var known = request.KnownVersion;
        var ct = context.CancellationToken;
        var lastSent = long.MinValue;
        while (!ct.IsCancellationRequested)
        {
            Metadata.Model.ConfigDocument? document = null;
            var read = false;
            try
            {
                document = await Read(key, ct).ConfigureAwait(false);
                read = true;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable && !ct.IsCancellationRequested)
            {
                // No leader right now: send nothing, so the client's copy ages honestly.
            }

            try
            {
                if (read && document is not null && document.Version > known)
                {
                    await responseStream.WriteAsync(Message(request.Name, document), ct).ConfigureAwait(false);
                    known = document.Version;
                    lastSent = timeProvider.GetTimestamp();
                }
                else if (read && (lastSent == long.MinValue || timeProvider.GetElapsedTime(lastSent) >= options.HeartbeatInterval))
                {
                    await responseStream.WriteAsync(new ConfigDocumentMessage { Name = request.Name, Version = document?.Version ?? 0, Unchanged = true }, ct).ConfigureAwait(false);
                    lastSent = timeProvider.GetTimestamp();
                }

                await Task.Delay(options.PollInterval, timeProvider, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task<Metadata.Model.ConfigDocument?> Read(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await metadata.GetDocumentAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is XinfraException or RpcException or TimeoutException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"The config store cannot be read now: {ex.Message}"));
        }
    }

    private static string Key(string name)
    {
        try
        {
            return XinfraConfigDocument.KeyOf(name);
        }
        catch (ArgumentException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
    }

    private static ConfigDocumentMessage Message(string name, Metadata.Model.ConfigDocument document)
    {
        var content = Encoding.UTF8.GetString(document.Content.Span);
        return new ConfigDocumentMessage { Name = name, Version = document.Version, Content = content, Checksum = XinfraConfigDocument.Checksum(content) };
    }
}
