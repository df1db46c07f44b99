namespace Xinfra;

/// <summary>Rules for logical and physical topic names (the Kafka rules, which Northguard shares).</summary>
public static class TopicNames
{
    /// <summary>The longest topic name accepted.</summary>
    public const int MaxLength = 249;

    /// <summary>True when <paramref name="name"/> is 1-249 characters of letters, digits, '.', '_' or '-' and not '.' or '..'.</summary>
    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength || name is "." or "..")
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
