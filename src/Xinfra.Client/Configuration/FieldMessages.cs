namespace Xinfra;

/// <summary>Turns the source-generated validators' messages into "path:Field: what was expected".</summary>
internal static class FieldMessages
{
    public static string Rewrite(string path, string failure) => $"{path}: {failure}";
}
