namespace Xinfra.Northguard.Security;

/// <summary>Adds <c>authorization: Bearer …</c> to every request of a channel.</summary>
internal sealed class BearerTokenHandler(TokenSource tokens, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    public const string Header = "authorization";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (tokens.Current() is { Length: > 0 } token)
        {
            request.Headers.TryAddWithoutValidation(Header, "Bearer " + token);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
