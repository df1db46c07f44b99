using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Xinfra.Northguard.ConfigService.Client;

/// <summary>A document as the client keeps it on disk.</summary>
/// <param name="Document">The document name.</param>
/// <param name="Version">Its version.</param>
/// <param name="FetchedAt">When it was fetched from the service.</param>
/// <param name="Content">The JSON content.</param>
internal sealed record CachedDocument(string Document, long Version, DateTimeOffset FetchedAt, string Content);

/// <summary>
/// The last-known-good document on disk: one JSON object with the content and a SHA-256 over name, version, fetch time
/// and content. Written to a temp file in the same folder, flushed to disk, then renamed over the old file, so a crash
/// leaves either the old or the new copy; a torn or edited file fails its checksum and is refused.
/// </summary>
internal static class ConfigCache
{
    public static void Write(string path, CachedDocument document)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                using (var writer = new Utf8JsonWriter(stream))
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("format", 1);
                    writer.WriteString("document", document.Document);
                    writer.WriteNumber("version", document.Version);
                    writer.WriteString("fetchedAt", document.FetchedAt.ToString("O", CultureInfo.InvariantCulture));
                    writer.WriteString("checksum", Checksum(document));
                    writer.WriteString("content", document.Content);
                    writer.WriteEndObject();
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>The cached document, or null when there is no file; throws <see cref="InvalidDataException"/> with the reason when it is unusable.</summary>
    public static CachedDocument? Read(string path, string expectedDocument)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        CachedDocument document;
        string checksum;
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = json.RootElement;
            if (root.GetProperty("format").GetInt32() != 1)
            {
                throw new InvalidDataException($"unknown cache format {root.GetProperty("format").GetInt32()} (expected 1)");
            }

            document = new CachedDocument(
                root.GetProperty("document").GetString() ?? string.Empty,
                root.GetProperty("version").GetInt64(),
                DateTimeOffset.Parse(root.GetProperty("fetchedAt").GetString() ?? string.Empty, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                root.GetProperty("content").GetString() ?? string.Empty);
            checksum = root.GetProperty("checksum").GetString() ?? string.Empty;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"the file is not a readable config cache ({ex.Message})", ex);
        }

        if (!string.Equals(checksum, Checksum(document), StringComparison.Ordinal))
        {
            throw new InvalidDataException($"checksum mismatch: the file is corrupt or was edited (document '{document.Document}' version {document.Version})");
        }

        if (!string.Equals(document.Document, expectedDocument, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"it holds document '{document.Document}', not '{expectedDocument}'");
        }

        return document;
    }

    private static string Checksum(CachedDocument document)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{document.Document}\n{document.Version}\n{document.FetchedAt.ToUnixTimeMilliseconds()}\n{document.Content}");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
