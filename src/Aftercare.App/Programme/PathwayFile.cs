using System.Text.Json;
using System.Text.Json.Serialization;
using Aftercare.Domain.Programme;

namespace Aftercare.App.Programme;

/// <summary>The pathway file is wrong: the message names the file, the line and the problem.</summary>
public sealed class PathwayFileException(string message) : Exception(message);

/// <summary>
/// Reads the versioned pathway file (docs/domain.md rule 12: pathways are configuration). Anything it
/// does not understand stops the server with the line named, rather than running on a guess.
/// </summary>
public static class PathwayFile
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        Converters = { new JsonStringEnumConverter(allowIntegerValues: false) },
    };

    public static PathwaySet Load(string path, IReadOnlyCollection<string>? knownServices = null)
    {
        if (!File.Exists(path))
        {
            throw new PathwayFileException($"{path}: the pathway file was not found (set Aftercare:PathwaysFile).");
        }

        return Parse(File.ReadAllText(path), path, knownServices);
    }

    public static PathwaySet Parse(string json, string name, IReadOnlyCollection<string>? knownServices = null)
    {
        PathwaySet? set;
        try
        {
            set = JsonSerializer.Deserialize<PathwaySet>(json, Options);
        }
        catch (JsonException e)
        {
            var line = e.LineNumber is { } n ? $" line {n + 1}" : "";
            throw new PathwayFileException($"{name}{line}: {Explain(e)}");
        }

        if (set is null)
        {
            throw new PathwayFileException($"{name}: the file is empty.");
        }

        var problems = new List<string>();
        problems.AddRange(set.Problems().Select(p => $"{name}: {p}"));
        foreach (var pathway in set.Pathways)
        {
            var line = LineOf(json, pathway.Id);
            problems.AddRange(pathway.Problems().Select(p => $"{name} line {line}: pathway \"{pathway.Id}\": {p}"));
            if (knownServices is not null)
            {
                problems.AddRange(pathway.DefaultReferrals.Where(r => !knownServices.Contains(r))
                    .Select(r => $"{name} line {line}: pathway \"{pathway.Id}\": default referral \"{r}\" is not a service in the directory"));
            }
        }

        return problems.Count > 0 ? throw new PathwayFileException(string.Join(Environment.NewLine, problems)) : set;
    }

    private static string Explain(JsonException e) =>
        e.Message.Contains("could not be mapped", StringComparison.Ordinal) ? $"{e.Path}: this setting is not known. {Short(e.Message)}"
        : $"{e.Path}: {Short(e.Message)}";

    private static string Short(string message) => message.Split(" Path:", 2)[0];

    private static int LineOf(string json, string id)
    {
        var at = json.IndexOf($"\"{id}\"", StringComparison.Ordinal);
        return at < 0 ? 0 : json.AsSpan(0, at).Count('\n') + 1;
    }
}
