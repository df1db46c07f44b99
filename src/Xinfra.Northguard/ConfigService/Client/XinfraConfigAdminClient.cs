using Grpc.Core;
using Grpc.Net.Client;
using Xinfra.Northguard.Protocol.Config;
using ProtocolClient = Xinfra.Northguard.Protocol.Config.ConfigService.ConfigServiceClient;

namespace Xinfra.Northguard.ConfigService.Client;

/// <summary>A published config document as the service returns it.</summary>
/// <param name="Name">The document name.</param>
/// <param name="Version">Its version (1 for the first publish).</param>
/// <param name="Content">The JSON content.</param>
/// <param name="Checksum">Lower-case hex SHA-256 of the content.</param>
public sealed record PublishedConfigDocument(string Name, long Version, string Content, string Checksum);

/// <summary>
/// Publishes and reads config documents (the operator side of the config service, for tools and the CLI). A document
/// the service refuses throws <see cref="XinfraConfigurationException"/> listing every field at fault; the stored
/// version is unchanged.
/// </summary>
public sealed class XinfraConfigAdminClient : IDisposable
{
    private const int UnavailableAttempts = 40;
    private static readonly TimeSpan UnavailablePause = TimeSpan.FromMilliseconds(250);
    private readonly GrpcChannel _channel;
    private readonly ProtocolClient _client;
    private readonly TimeProvider _timeProvider;
    private readonly Security.ChannelSecurity _security;

    /// <summary>
    /// Connects to one broker (<c>host:port</c> or <c>http://host:port</c>); any broker serves the service. A publish
    /// that finds no metadata leader (an election) is retried for about 10 s on <paramref name="timeProvider"/>.
    /// <paramref name="security"/>: TLS and the (cluster-admin) token for brokers with security on.
    /// </summary>
    public XinfraConfigAdminClient(string endpoint, TimeProvider? timeProvider = null, Security.NorthguardClientSecurity? security = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(endpoint);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _security = Security.ChannelSecurity.ForClient(security);
        _channel = _security.CreateChannel(endpoint);
        _client = new ProtocolClient(_channel);
    }

    /// <summary>
    /// Validates and stores <paramref name="content"/> as the next version of <paramref name="name"/>.
    /// <paramref name="expectedVersion"/>: the version being replaced (0: must not exist; -1: any).
    /// </summary>
    public async Task<PublishedConfigDocument> PublishAsync(string name, string content, long expectedVersion = -1, CancellationToken cancellationToken = default)
    {
        XinfraConfigDocument.CheckName(name);
        ArgumentNullException.ThrowIfNull(content);
        var request = new PutConfigRequest { Name = name, Content = content, ExpectedVersion = expectedVersion };
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var response = await _client.PutAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
                return new PublishedConfigDocument(name, response.Version, content, response.Checksum);
            }
            catch (RpcException ex) when (Security.SecurityErrors.IsSecurity(ex))
            {
                throw Security.SecurityErrors.ToException(ex, null);
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.InvalidArgument or StatusCode.FailedPrecondition)
            {
                throw new XinfraConfigurationException(ex.Status.Detail, ex);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable && attempt < UnavailableAttempts && !cancellationToken.IsCancellationRequested)
            {
                // No metadata leader for the document's vnode yet (an election): try again shortly.
                await Task.Delay(UnavailablePause, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Asks the service to validate <paramref name="content"/> without storing it; throws
    /// <see cref="XinfraConfigurationException"/> listing every field at fault. (<see cref="XinfraConfigDocument.Validate"/>
    /// runs the same checks offline.)
    /// </summary>
    public async Task ValidateAsync(string name, string content, CancellationToken cancellationToken = default)
    {
        XinfraConfigDocument.CheckName(name);
        ArgumentNullException.ThrowIfNull(content);
        try
        {
            await _client.PutAsync(new PutConfigRequest { Name = name, Content = content, DryRun = true }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (Security.SecurityErrors.IsSecurity(ex))
        {
            throw Security.SecurityErrors.ToException(ex, null);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.InvalidArgument)
        {
            throw new XinfraConfigurationException(ex.Status.Detail, ex);
        }
    }

    /// <summary>The current version of <paramref name="name"/>, or null when it was never published.</summary>
    public async Task<PublishedConfigDocument?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        XinfraConfigDocument.CheckName(name);
        try
        {
            var message = await _client.GetAsync(new GetConfigRequest { Name = name }, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new PublishedConfigDocument(name, message.Version, message.Content, message.Checksum);
        }
        catch (RpcException ex) when (Security.SecurityErrors.IsSecurity(ex))
        {
            throw Security.SecurityErrors.ToException(ex, null);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _channel.Dispose();
        _security.Dispose();
    }
}
