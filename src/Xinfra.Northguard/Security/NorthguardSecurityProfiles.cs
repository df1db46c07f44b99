using Xinfra.Transport;

namespace Xinfra.Northguard.Security;

/// <summary>Maps an Xinfra <see cref="SecurityProfileOptions"/> onto <see cref="NorthguardClientSecurity"/> for a Northguard cluster.</summary>
public static class NorthguardSecurityProfiles
{
    /// <summary>The client security of <paramref name="context"/>'s cluster, or null when it names no profile.</summary>
    public static NorthguardClientSecurity? ToClientSecurity(TransportContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Security is not { } profile)
        {
            return null;
        }

        if (profile.ClientCertificateFile is not null && profile.ClientKeyFile is null && !IsPkcs12(profile.ClientCertificateFile))
        {
            string field = $"{XinfraOptions.SectionName}:SecurityProfiles:{context.Cluster.SecurityProfile ?? "?"}:ClientKeyFile";
            throw new XinfraConfigurationException($"{field}: a PEM client certificate needs its private key file (cluster '{context.ClusterName}')")
            {
                Cluster = context.ClusterName,
                Field = field,
            };
        }

        return new NorthguardClientSecurity
        {
            Tls = profile.Tls,
            CaCertificateFile = profile.CaCertificateFile,
            ClientCertificateFile = profile.ClientCertificateFile,
            ClientKeyFile = profile.ClientKeyFile,
            Token = profile.Token,
            TokenFile = profile.TokenFile,
            TimeProvider = context.TimeProvider,
        };
    }

    private static bool IsPkcs12(string file) =>
        file.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);
}
