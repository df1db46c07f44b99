using System.Text.Json.Serialization;

namespace Xinfra.Migration;

/// <summary>Source-generated JSON for migration checkpoints.</summary>
[JsonSerializable(typeof(MigrationCheckpoint))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class MigrationJson : JsonSerializerContext;
