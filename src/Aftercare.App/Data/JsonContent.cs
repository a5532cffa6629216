using System.Text.Json;
using System.Text.Json.Serialization;

namespace Aftercare.App.Data;

/// <summary>
/// A clinical document's content is one JSON document per version: the same shape on SQLite and
/// PostgreSQL, and a revision is a whole copy that can be shown side by side with another.
/// </summary>
public static class JsonContent
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };
}
