using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Xinfra.Northguard.Security;

/// <summary>Loads certificates from PEM or PKCS#12 files and validates peers against a custom CA.</summary>
internal static class CertificateFiles
{
    public static X509Certificate2 LoadCertificate(string certificateFile, string? keyFile, string? password)
    {
        string extension = Path.GetExtension(certificateFile);
        if (extension.Equals(".pfx", StringComparison.OrdinalIgnoreCase) || extension.Equals(".p12", StringComparison.OrdinalIgnoreCase))
        {
            return X509CertificateLoader.LoadPkcs12FromFile(certificateFile, password);
        }

        return X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
    }

    public static X509Certificate2Collection LoadCa(string caFile)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(caFile);
        if (collection.Count == 0)
        {
            throw new ArgumentException($"The CA file '{caFile}' holds no PEM certificate.", nameof(caFile));
        }

        return collection;
    }

    public static ReloadingFile<X509Certificate2> Watch(string certificateFile, string? keyFile, string? password, TimeSpan interval, TimeProvider time, Action<Exception>? failed) =>
        Open("CertificateFile", certificateFile, () => new ReloadingFile<X509Certificate2>(
            keyFile is null ? [certificateFile] : [certificateFile, keyFile], () => LoadCertificate(certificateFile, keyFile, password), interval, time, failed));

    public static ReloadingFile<X509Certificate2Collection> WatchCa(string caFile, TimeSpan interval, TimeProvider time, Action<Exception>? failed) =>
        Open("CaCertificateFile", caFile, () => new ReloadingFile<X509Certificate2Collection>([caFile], () => LoadCa(caFile), interval, time, failed));

    /// <summary>The first load: a missing or unreadable file is a configuration error naming the field and the file.</summary>
    private static T Open<T>(string field, string file, Func<T> open)
    {
        try
        {
            return open();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new XinfraConfigurationException($"TLS {field} '{file}' (or its key file) could not be loaded: {e.GetType().Name}: {e.Message}", e) { Field = field };
        }
    }

    /// <summary>
    /// True when <paramref name="certificate"/> chains to one of <paramref name="roots"/> (or, with no roots, when the
    /// platform found no error). <paramref name="checkName"/>: a host name mismatch fails (server certificates).
    /// </summary>
    public static bool Validate(X509Certificate2Collection? roots, X509Certificate? certificate, SslPolicyErrors errors, bool checkName)
    {
        if (certificate is null)
        {
            return false;
        }

        if (roots is null)
        {
            return errors == SslPolicyErrors.None;
        }

        if (checkName && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }
}
