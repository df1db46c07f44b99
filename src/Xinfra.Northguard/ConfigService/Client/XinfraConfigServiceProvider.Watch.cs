using Grpc.Core;
using Xinfra.Northguard.Protocol.Config;

namespace Xinfra.Northguard.ConfigService.Client;

/// <summary>The watch: one server stream at a time, rotating over the endpoints with jittered exponential backoff.</summary>
public sealed partial class XinfraConfigServiceProvider
{
    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        var index = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var endpoint = _endpoints[index % _endpoints.Length];
            string reason;
            try
            {
                long known;
                lock (_lock)
                {
                    known = _version;
                }

                using var call = Client(endpoint).Watch(new WatchConfigRequest { Name = _options.Document, KnownVersion = known }, cancellationToken: cancellationToken);

                // The service confirms at least every second: a stream silent for SilentStream is dead (a stopping
                // broker can hold it open), so it is dropped and the watch reconnects, elsewhere if need be.
                while (await call.ResponseStream.MoveNext(cancellationToken).WaitAsync(SilentStream, _time, cancellationToken).ConfigureAwait(false))
                {
                    SetConnected(true);
                    failures = 0;
                    Accept(call.ResponseStream.Current, raiseReload: true);
                }

                reason = "the stream ended";
            }
            catch (TimeoutException) when (!cancellationToken.IsCancellationRequested)
            {
                reason = $"no message for {SilentStream.TotalSeconds:0} s";
            }
            catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
            {
                reason = $"{ex.StatusCode} {ex.Status.Detail}";
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            SetConnected(false);
            SetError($"watch on {endpoint}: {reason}");
            failures++;
            index++;
            var delay = Backoff(failures);
            ConfigServiceLog.WatchBroken(_logger, _options.Document, endpoint, reason, (long)delay.TotalMilliseconds);
            try
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Exponential from <see cref="XinfraConfigServiceOptions.ReconnectDelay"/>, capped, then 50-100 % of it (seeded jitter).</summary>
    private TimeSpan Backoff(int failures)
    {
        var exponent = Math.Min(failures - 1, 20);
        var full = Math.Min(_options.MaxReconnectDelay.TotalMilliseconds, _options.ReconnectDelay.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds(full * (0.5 + (0.5 * _random.NextDouble())));
    }

    private void SetConnected(bool connected)
    {
        lock (_lock)
        {
            _connected = connected;
        }
    }
}
