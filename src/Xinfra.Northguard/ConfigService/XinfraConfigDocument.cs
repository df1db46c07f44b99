using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace Xinfra.Northguard.ConfigService;

/// <summary>
/// A config-service document: the JSON of the client's <c>Xinfra</c> configuration section (clusters with their kind
/// and bootstrap endpoints, logical topic routes and phases, security profiles). The broker validates it on
/// <c>Put</c> and the client validates it again before applying or caching it, both with
/// <see cref="XinfraOptionsValidator"/>, so a document means the same thing everywhere.
/// </summary>
public static partial class XinfraConfigDocument
{
    private const string KeyPrefix = "xinfra-config/";

    /// <summary>The metadata key a document name is stored under.</summary>
    public static string KeyOf(string name)
    {
        CheckName(name);
        return KeyPrefix + name;
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="name"/> is 1-200 letters, digits, '.', '_', '-' or '/'.</summary>
    public static void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || !NamePattern().IsMatch(name))
        {
            throw new ArgumentException($"Config document name '{name}' is invalid: expected 1-200 letters, digits, '.', '_', '-' or '/' (e.g. 'prod/payments').", nameof(name));
        }
    }

    /// <summary>The lower-case hex SHA-256 of the UTF-8 bytes of <paramref name="content"/>.</summary>
    public static string Checksum(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));
    }

    /// <summary>
    /// Parses <paramref name="content"/> as the <c>Xinfra</c> section and flattens it to configuration keys under
    /// <paramref name="sectionName"/> (<c>Xinfra:Clusters:ng:Bootstrap</c> …). Throws
    /// <see cref="XinfraConfigurationException"/> when it is not a JSON object.
    /// </summary>
    public static Dictionary<string, string?> Flatten(string content, string sectionName = XinfraOptions.SectionName)
    {
        ArgumentNullException.ThrowIfNull(content);
        IConfigurationRoot parsed;
        try
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(content));
            parsed = new ConfigurationBuilder().AddJsonStream(stream).Build();
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidDataException)
        {
            throw new XinfraConfigurationException($"The config document is not a JSON object: {ex.Message}", ex);
        }

        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in parsed.AsEnumerable())
        {
            if (value is not null)
            {
                data[sectionName + ConfigurationPath.KeyDelimiter + key] = value;
            }
        }

        return data;
    }

    /// <summary>
    /// Validates <paramref name="content"/> as an <c>Xinfra</c> section: JSON syntax, no secrets (a <c>Password</c>),
    /// values the binder cannot convert, field rules and cross-field rules. Returns every problem (each naming its path, e.g.
    /// <c>Xinfra:Clusters:ng:Bootstrap</c>), or an empty list.
    /// </summary>
    public static IReadOnlyList<string> Validate(string content, IReadOnlySet<ClusterKind>? registeredKinds = null)
    {
        Dictionary<string, string?> data;
        try
        {
            data = Flatten(content);
        }
        catch (XinfraConfigurationException ex)
        {
            return [ex.Message];
        }

        var errors = new List<string>();
        foreach (var (key, value) in data)
        {
            // A document is served to every client of the cluster: a password in it would be a shared secret in clear.
            if (key.EndsWith(":Password", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(value))
            {
                errors.Add($"{key}: a secret must not be published in a config document (every client can read it); give each application its own credentials through a file it owns (TokenFile, ClientKeyFile)");
            }
        }

        var section = new ConfigurationBuilder().AddInMemoryCollection(data).Build().GetSection(XinfraOptions.SectionName);
        var options = new XinfraOptions();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            errors.Add($"{XinfraOptions.SectionName}: {ex.Message}");
            return errors;
        }

        new BoundSectionCheck(section).Collect(errors, options);
        var result = new XinfraOptionsValidator(registeredKinds).Validate(XinfraOptions.SectionName, options);
        if (result.Failed)
        {
            errors.AddRange(result.Failures);
        }

        return errors;
    }

    [GeneratedRegex("^[A-Za-z0-9._/-]{1,200}$")]
    private static partial Regex NamePattern();
}
