using System.ComponentModel.DataAnnotations;

namespace Xinfra;

/// <summary>The root of Xinfra's configuration, bound from the <c>Xinfra</c> section.</summary>
public sealed class XinfraOptions
{
    /// <summary>The configuration section name Xinfra binds by default.</summary>
    public const string SectionName = "Xinfra";

    /// <summary>This application's name, sent to brokers and stamped on records. <value>The default is the entry assembly's name.</value></summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "an application id is required")]
    [RegularExpression("^[A-Za-z0-9._-]{1,128}$", ErrorMessage = "must be 1-128 letters, digits, '.', '_' or '-'")]
    public string ApplicationId { get; set; } = "xinfra-app";

    /// <summary>The physical clusters, by name.</summary>
    public Dictionary<string, ClusterOptions> Clusters { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The logical topics, by name.</summary>
    public Dictionary<string, TopicOptions> Topics { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Security profiles, by name, that clusters refer to.</summary>
    public Dictionary<string, SecurityProfileOptions> SecurityProfiles { get; set; } = new(StringComparer.Ordinal);
}
