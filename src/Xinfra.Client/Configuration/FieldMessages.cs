using System.Text.RegularExpressions;

namespace Xinfra;

/// <summary>
/// Turns the source-generated validators' messages (<c>Member: message</c>, nested members as
/// <c>Epochs[0].Partitions</c>) into configuration paths: <c>Xinfra:Topics:orders:Epochs:0:Partitions: message</c>.
/// </summary>
internal static partial class FieldMessages
{
    public static string Rewrite(string path, string failure)
    {
        var match = MemberPrefix().Match(failure);
        if (!match.Success)
        {
            return $"{path}: {failure}";
        }

        var member = match.Groups["member"].Value.Replace("[", ":", StringComparison.Ordinal)
            .Replace("]", string.Empty, StringComparison.Ordinal)
            .Replace('.', ':');
        return $"{path}:{member}: {match.Groups["message"].Value}";
    }

    [GeneratedRegex(@"^(?:[A-Za-z]+\.)?(?<member>[A-Z][A-Za-z0-9]*(?:(?:\[\d+\])?\.[A-Z][A-Za-z0-9]*|\[\d+\])*): (?<message>.*)$", RegexOptions.Singleline)]
    private static partial Regex MemberPrefix();
}
