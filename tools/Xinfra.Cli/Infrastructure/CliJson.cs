using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Xinfra.Cli.Infrastructure;

/// <summary>The JSON settings of every <c>--json</c> output and of the backup file.</summary>
internal static class CliJson
{
    /// <summary>Indented camelCase with enums as strings.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };
}
