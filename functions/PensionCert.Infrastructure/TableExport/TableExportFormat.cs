using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;

namespace PensionCert.Infrastructure.TableExport;

/// <summary>
/// One exported entity per line (JSON lines, UTF-8): <c>{"PartitionKey":…,"RowKey":…,"Properties":{"Name":{"Type":"Edm.Int64","Value":"…"}}}</c>,
/// properties in ordinal name order, each with its EDM type, so that a restore writes back exactly the stored
/// types and values. Values: <c>Edm.String</c> a JSON string; <c>Edm.Boolean</c> true/false; <c>Edm.Int32</c> a
/// JSON number; <c>Edm.Int64</c>, <c>Edm.Double</c> (round-trip form, NaN and infinities included),
/// <c>Edm.DateTime</c> (ISO 8601, UTC, 100 ns), <c>Edm.Guid</c> and <c>Edm.Binary</c> (Base64) as strings. The
/// ETag and Timestamp are not exported (the service sets them on restore). Encrypted fields are copied as stored
/// (ciphertext): the export needs and holds no key.
/// </summary>
public static class TableExportFormat
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes <paramref name="entity"/> as one line (ending with <c>\n</c>) to <paramref name="buffer"/>.</summary>
    /// <exception cref="NotSupportedException">A property has a type the Table service does not store (names the property, never its value).</exception>
    public static void WriteLine(TableEntity entity, IBufferWriter<byte> buffer)
    {
        ArgumentNullException.ThrowIfNull(entity);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("PartitionKey", entity.PartitionKey);
            json.WriteString("RowKey", entity.RowKey);
            json.WriteStartObject("Properties");
            foreach (var name in entity.Keys.Where(k => !IsSystemProperty(k)).Order(StringComparer.Ordinal))
            {
                var value = entity[name];
                if (value is null) continue;
                json.WriteStartObject(name);
                switch (value)
                {
                    case string s: json.WriteString("Type", "Edm.String"); json.WriteString("Value", s); break;
                    case bool b: json.WriteString("Type", "Edm.Boolean"); json.WriteBoolean("Value", b); break;
                    case int i: json.WriteString("Type", "Edm.Int32"); json.WriteNumber("Value", i); break;
                    case long l: json.WriteString("Type", "Edm.Int64"); json.WriteString("Value", l.ToString(CultureInfo.InvariantCulture)); break;
                    case double d: json.WriteString("Type", "Edm.Double"); json.WriteString("Value", d.ToString("R", CultureInfo.InvariantCulture)); break;
                    case DateTimeOffset t: json.WriteString("Type", "Edm.DateTime"); json.WriteString("Value", t.UtcDateTime.ToString("o", CultureInfo.InvariantCulture)); break;
                    case DateTime t: json.WriteString("Type", "Edm.DateTime"); json.WriteString("Value", t.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture)); break;
                    case Guid g: json.WriteString("Type", "Edm.Guid"); json.WriteString("Value", g.ToString("D")); break;
                    case byte[] bytes: json.WriteString("Type", "Edm.Binary"); json.WriteBase64String("Value", bytes); break;
                    case BinaryData data: json.WriteString("Type", "Edm.Binary"); json.WriteBase64String("Value", data.ToMemory().Span); break;
                    default: throw new NotSupportedException($"Property '{name}' has the type {value.GetType().Name}, which the table export does not know.");
                }
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        buffer.Write("\n"u8);
    }

    /// <summary>Reads one line written by <see cref="WriteLine"/> back into an entity with the same typed values.</summary>
    /// <exception cref="FormatException">The line is not an exported entity.</exception>
    public static TableEntity ReadLine(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("PartitionKey", out var pk) || pk.ValueKind != JsonValueKind.String
            || !root.TryGetProperty("RowKey", out var rk) || rk.ValueKind != JsonValueKind.String
            || !root.TryGetProperty("Properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
            throw new FormatException("An export line has no PartitionKey, RowKey or Properties.");
        var entity = new TableEntity(pk.GetString(), rk.GetString());
        foreach (var property in properties.EnumerateObject())
        {
            var type = property.Value.GetProperty("Type").GetString();
            var value = property.Value.GetProperty("Value");
            entity[property.Name] = type switch
            {
                "Edm.String" => value.GetString(),
                "Edm.Boolean" => value.GetBoolean(),
                "Edm.Int32" => value.GetInt32(),
                "Edm.Int64" => long.Parse(value.GetString()!, NumberStyles.Integer, CultureInfo.InvariantCulture),
                "Edm.Double" => double.Parse(value.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture),
                "Edm.DateTime" => new DateTimeOffset(DateTime.Parse(value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind).ToUniversalTime(), TimeSpan.Zero),
                "Edm.Guid" => Guid.ParseExact(value.GetString()!, "D"),
                "Edm.Binary" => value.GetBytesFromBase64(),
                _ => throw new FormatException($"Property '{property.Name}' has the unknown type '{type}'."),
            };
        }
        return entity;
    }

    /// <summary>The properties the service maintains (not exported): the ETag and the Timestamp, and the keys (written apart).</summary>
    private static bool IsSystemProperty(string name) =>
        name is "PartitionKey" or "RowKey" or "Timestamp" or "odata.etag" or "odata.metadata";
}
