namespace Xinfra.Northguard.Security;

/// <summary>The token a client sends: a literal, or a file re-read when its write time changes.</summary>
internal sealed class TokenSource(string? token, string? file)
{
    private readonly Lock _gate = new();
    private DateTime _readAt;
    private string? _fromFile;

    public static TokenSource? Create(string? token, string? file) =>
        token is null && file is null ? null : new TokenSource(token, file);

    public string? Current()
    {
        if (token is not null || file is null)
        {
            return token;
        }

        var written = File.GetLastWriteTimeUtc(file);
        lock (_gate)
        {
            if (_fromFile is null || written != _readAt)
            {
                _fromFile = File.ReadAllText(file).Trim();
                _readAt = written;
            }

            return _fromFile;
        }
    }
}
