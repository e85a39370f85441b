using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PensionCert.Http;

/// <summary>The JSON conventions of the API: camelCase, enums as strings, ISO 8601 dates, Chinese unescaped.</summary>
public static class ApiJson
{
    /// <summary>Options for responses.</summary>
    public static readonly JsonSerializerOptions Options = Create();

    /// <summary>
    /// Options for request bodies: unknown and duplicate properties are errors, nesting is shallow, numbers are not
    /// read from strings.
    /// </summary>
    public static readonly JsonSerializerOptions StrictRequestOptions = new(Create())
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
        MaxDepth = 8,
        NumberHandling = JsonNumberHandling.Strict,
    };

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            Encoder = JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All),
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        return options;
    }
}
