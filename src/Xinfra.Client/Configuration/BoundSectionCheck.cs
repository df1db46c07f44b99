using Microsoft.Extensions.Configuration;

namespace Xinfra;

/// <summary>
/// The configuration section Xinfra was bound from, kept to catch what the binder drops silently: a cluster or topic
/// entry with a value it cannot convert (say <c>"Phase": "Sideways"</c>) simply vanishes from the bound dictionary.
/// This check rebinds each missing entry alone to surface the binder's own message, which names the path.
/// </summary>
internal sealed class BoundSectionCheck(IConfiguration section)
{
    public void Collect(List<string> errors, XinfraOptions bound)
    {
        Check<ClusterOptions>(errors, "Clusters", bound.Clusters);
        Check<TopicOptions>(errors, "Topics", bound.Topics);
        Check<SecurityProfileOptions>(errors, "SecurityProfiles", bound.SecurityProfiles);
    }

    private void Check<T>(List<string> errors, string name, IReadOnlyDictionary<string, T> bound)
        where T : new()
    {
        foreach (var child in section.GetSection(name).GetChildren())
        {
            if (bound.ContainsKey(child.Key))
            {
                continue;
            }

            try
            {
                child.Bind(new T());
                errors.Add($"{child.Path}: the entry could not be read; check its field names and values");
            }
            catch (InvalidOperationException ex)
            {
                errors.Add($"{child.Path}: {ex.Message}");
            }
        }
    }
}
