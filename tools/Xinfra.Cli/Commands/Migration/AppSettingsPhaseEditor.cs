using System.Text;
using System.Text.Json;
using Xinfra.Cli.Infrastructure;

namespace Xinfra.Cli.Commands.Migration;

/// <summary>
/// Changes <c>Xinfra:Topics:&lt;topic&gt;:Phase</c> in the text of an appsettings file, touching nothing else (comments,
/// order and formatting stay): replaces the existing value, or inserts the property first in the topic's object.
/// Keys match case-insensitively, as configuration binding does.
/// </summary>
internal static class AppSettingsPhaseEditor
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    /// <summary>The new file content.</summary>
    public static byte[] SetPhase(byte[] file, string section, string topic, MigrationPhase phase)
    {
        bool bom = file.AsSpan().StartsWith(Bom);
        var json = bom ? file[3..] : file;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var path = new List<string>();
        string? name = null;
        (long Start, long End)? value = null;
        long objectStart = -1;
        bool objectHasMembers = false;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        name = reader.GetString();
                        if (IsTopic(path, section, topic))
                        {
                            objectHasMembers = true;
                        }

                        break;
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        path.Add(name ?? "$");
                        name = null;
                        if (reader.TokenType == JsonTokenType.StartObject && IsTopic(path, section, topic))
                        {
                            objectStart = reader.TokenStartIndex;
                        }

                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        break;
                    default:
                        if (string.Equals(name, "Phase", StringComparison.OrdinalIgnoreCase) && IsTopic(path, section, topic))
                        {
                            value = (reader.TokenStartIndex, reader.BytesConsumed);
                        }

                        name = null;
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            throw new CliException($"the file is not valid JSON: {e.Message}");
        }

        byte[] edited;
        if (value is { } v)
        {
            edited = [.. json.AsSpan(0, (int)v.Start), .. Encoding.UTF8.GetBytes($"\"{phase}\""), .. json.AsSpan((int)v.End)];
        }
        else if (objectStart >= 0)
        {
            var insert = Encoding.UTF8.GetBytes($" \"Phase\": \"{phase}\"{(objectHasMembers ? "," : " ")}");
            edited = [.. json.AsSpan(0, (int)objectStart + 1), .. insert, .. json.AsSpan((int)objectStart + 1)];
        }
        else
        {
            throw new CliException($"the file has no object {section}:Topics:{topic} to set the phase in.");
        }

        return bom ? [.. Bom, .. edited] : edited;
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> atomically: a temp file in the same folder, flushed, then renamed over it.</summary>
    public static void WriteAtomically(string path, byte[] content)
    {
        var temp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    private static bool IsTopic(List<string> path, string section, string topic) =>
        path.Count == 4
        && string.Equals(path[1], section, StringComparison.OrdinalIgnoreCase)
        && string.Equals(path[2], "Topics", StringComparison.OrdinalIgnoreCase)
        && string.Equals(path[3], topic, StringComparison.OrdinalIgnoreCase);
}
