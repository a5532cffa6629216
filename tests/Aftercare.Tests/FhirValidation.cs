using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Firely.Fhir.Validation;
using Firely.Fhir.Validation.Compilation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;
using Hl7.Fhir.Utility;

namespace Aftercare.Tests;

/// <summary>
/// Every FHIR resource a test gets back is validated against the base R4 definitions with
/// Firely.Fhir.Validation.R4 (issue 13): <see cref="AftercareApplication"/> puts this handler under
/// every client it makes, so no test has to ask. A response with a FHIR content type (a resource,
/// a bundle with its entries, an OperationOutcome, NDJSON lines) that does not parse strictly or has
/// an error or fatal issue fails the test that got it, naming the test, the resource type and each
/// issue (docs/fhir/README.md, "Validated in the tests"); against the base R4 definitions and every
/// profile the resource names in <c>meta.profile</c> (<see cref="AftercareDefinitionSource"/>).
/// </summary>
internal sealed class FhirValidatingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (FhirValidation.IsFhir(response.Content.Headers.ContentType))
        {
            // Buffered, so the test still reads the body it asked for.
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            FhirValidation.Check(body, response.Content.Headers.ContentType!.MediaType!, $"{request.Method} {request.RequestUri?.AbsolutePath}");
        }

        return response;
    }
}

/// <summary>
/// Aftercare's own definitions (its profiles, extensions and code systems), at whatever address the
/// test app that named them listens on (<c>http://127.0.0.1:PORT/fhir/StructureDefinition/...</c>):
/// what the server publishes (DefinitionsFhir), its canonical URLs written on that address, so that
/// a resource is validated against every profile in its <c>meta.profile</c> and every extension
/// against its definition.
/// </summary>
internal sealed partial class AftercareDefinitionSource : IAsyncResourceResolver, IResourceResolver
{
    public Resource? ResolveByCanonicalUri(string uri)
    {
        if (OwnUrl().Match((uri ?? "").Split('|')[0]) is not { Success: true } match)
        {
            return null;
        }

        var publicBase = match.Groups[1].Value;
        var definition = Aftercare.Fhir.DefinitionsFhir.All.FirstOrDefault(r => r.TypeName == match.Groups[2].Value && r.Id == match.Groups[3].Value);
        return definition is null ? null : Aftercare.Fhir.FhirJson.Parse(Aftercare.Fhir.CanonicalUrls.Outward(Aftercare.Fhir.FhirJson.Serialize(definition), publicBase)).Value;
    }

    public Resource? ResolveByUri(string uri) => ResolveByCanonicalUri(uri);

    public System.Threading.Tasks.Task<Resource?> ResolveByCanonicalUriAsync(string uri) => System.Threading.Tasks.Task.FromResult(ResolveByCanonicalUri(uri));

    public System.Threading.Tasks.Task<Resource?> ResolveByUriAsync(string uri) => ResolveByCanonicalUriAsync(uri);

    [GeneratedRegex(@"^(https?://[^/]+/fhir/)(StructureDefinition|CodeSystem)/([A-Za-z0-9\-.]{1,64})$")]
    private static partial Regex OwnUrl();
}

/// <summary>The one validator of the test process: the R4 specification loaded once, on first use, and shared.</summary>
internal static partial class FhirValidation
{
    private static readonly HashSet<string> FhirMediaTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "application/fhir+json", "application/json+fhir", "application/fhir+xml", "application/xml+fhir", "application/fhir+ndjson",
    };

    private static readonly Lazy<Validator> Shared = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly object Validating = new();

    private static readonly JsonSerializerOptions Strict = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);

    private static Validator Load()
    {
        // specification.zip from Hl7.Fhir.Specification.Data.R4, copied beside the test assembly.
        var core = new CachedResolver(ZipSource.CreateValidationSource(Path.Combine(AppContext.BaseDirectory, "specification.zip")));
        // And Aftercare's own profiles and extensions, with snapshots made where a definition keeps only its differential.
        // The core first, as it comes (its snapshots are not made again); only Aftercare's own get one made over it.
        var resolver = new MultiResolver(core, new SnapshotSource(new MultiResolver(new AftercareDefinitionSource(), core)));
        // Firely marks the schema compiler experimental; it is what its own Validator uses inside.
#pragma warning disable ExperimentalApi
        var schemas = StructureDefinitionToElementSchemaResolver.CreatedCached(resolver);
#pragma warning restore ExperimentalApi

        // A schema is compiled the first time its type is seen, which can take seconds: compiled
        // here instead, before any test runs, for every data type and every type the server answers
        // with, so that no test's own timing (a rate limit's minute) pays for it.
        var answered = Aftercare.Fhir.Capability.Statement("http://127.0.0.1/fhir").Rest[0].Resource.Select(r => r.Type)
            .Concat(["Bundle", "OperationOutcome", "CapabilityStatement"]);
        var dataTypes = Enum.GetValues<FHIRAllTypes>().Select(t => t.GetLiteral()).Where(t => ModelInfo.IsDataType(t) || ModelInfo.IsPrimitive(t));
        foreach (var type in answered.Concat(dataTypes).Distinct(StringComparer.Ordinal))
        {
            schemas.GetSchema(new Firely.Fhir.Validation.Canonical($"http://hl7.org/fhir/StructureDefinition/{type}"));
        }

        return new Validator(resolver, LocalTerminologyService.CreateDefaultForCore(core), schemaResolver: schemas);
    }

    /// <summary>Loads the specification and compiles the schemas, once per process (AftercareApplication starts it).</summary>
    public static System.Threading.Tasks.Task WarmAsync() => System.Threading.Tasks.Task.Run(() => Shared.Value);

    public static bool IsFhir(MediaTypeHeaderValue? type) => type?.MediaType is { } media && FhirMediaTypes.Contains(media);

    /// <summary>Fails the running test when this body, answered to <paramref name="request"/>, is not valid R4.</summary>
    public static void Check(string body, string mediaType, string request)
    {
        var problems = new List<string>();
        var types = new List<string>();
        if (mediaType.EndsWith("ndjson", StringComparison.OrdinalIgnoreCase))
        {
            var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            for (var i = 0; i < lines.Length; i++)
            {
                Problems(lines[i], xml: false, $"line {i + 1}: ", problems, types);
            }
        }
        else
        {
            Problems(body, mediaType.Contains("xml", StringComparison.OrdinalIgnoreCase), "", problems, types);
        }

        if (problems.Count > 0)
        {
            var test = TestContext.Current.Test?.TestDisplayName ?? "(outside a test)";
            throw new FhirValidationException(
                $"{test}: the {string.Join(", ", types.Distinct())} answered to {request} is not valid FHIR R4:\n  " + string.Join("\n  ", problems));
        }
    }

    private static void Problems(string body, bool xml, string prefix, List<string> problems, List<string> types)
    {
        var (resource, parseErrors) = Parse(body, xml);
        types.Add(resource?.TypeName ?? "body");
        foreach (var error in parseErrors)
        {
            Add(problems, prefix, resource, error.ErrorCode, null, ParsedAt().Match(error.Message) is { Success: true } at ? at.Groups[1].Value : "", error.Message);
        }

        if (resource is null)
        {
            return;
        }

        OperationOutcome outcome;
        lock (Validating)
        {
            outcome = Shared.Value.Validate(resource);
        }

        foreach (var issue in outcome.Issue.Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal))
        {
            var location = issue.Expression.FirstOrDefault() ?? issue.Location.FirstOrDefault() ?? "";
            var text = issue.Details?.Text ?? issue.Diagnostics ?? "";
            var constraint = Constraint().Match(text) is { Success: true } c ? c.Groups[1].Value : null;
            Add(problems, prefix, resource, issue.Details?.Coding.FirstOrDefault()?.Code ?? "", constraint, location, $"{location}: {text}");
        }
    }

    /// <summary>
    /// One issue as a line that names the resource type it is in (a bundle entry's own, with the
    /// bundle's type) and ends with its key: the invariant (<c>[CarePlan: cpl-3]</c>), or else the
    /// issue number and the element without indexes (<c>[Patient: 6007 Patient.gender]</c>).
    /// </summary>
    private static void Add(List<string> problems, string prefix, Resource? resource, string code, string? constraint, string location, string text)
    {
        var type = resource switch { null => "body", Bundle b => $"Bundle ({b.Type?.GetLiteral()})", _ => resource.TypeName };
        var path = location;
        if (resource is Bundle bundle && Entry().Match(location) is { Success: true } entry
            && int.Parse(entry.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) is var i && i < bundle.Entry.Count)
        {
            var entryType = bundle.Entry[i].Resource?.TypeName ?? "entry";
            type = $"{entryType} in {type}";
            path = entryType + location[entry.Length..];
        }

        var key = $"{type}: {constraint ?? $"{code} {Index().Replace(path, "")}"}";
        problems.Add($"{prefix}{type}: {text} [{key}]");
    }

    private static (Resource? Resource, IReadOnlyList<Hl7.Fhir.Utility.CodedException> Errors) Parse(string body, bool xml)
    {
        try
        {
            if (xml)
            {
                using var reader = System.Xml.XmlReader.Create(new StringReader(body));
                reader.MoveToContent();
                return new BaseFhirXmlDeserializer(ModelInfo.ModelInspector).TryDeserializeResource(reader, out var read, out var issues)
                    ? (read, [])
                    : (read, [.. issues]);
            }

            return (JsonSerializer.Deserialize<Resource>(body, Strict), []);
        }
        catch (DeserializationFailedException e)
        {
            return (e.PartialResult as Resource, [.. e.Exceptions]);
        }
        catch (Exception e) when (e is JsonException or System.Xml.XmlException)
        {
            return (null, [new Hl7.Fhir.Utility.CodedException("BODY", $"not parseable: {e.Message}")]);
        }
    }

    [GeneratedRegex(@"constraint\s+'?([a-z]{2,5}-\d+[a-z]?)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Constraint();

    [GeneratedRegex(@"\[\d+\]")]
    private static partial Regex Index();

    /// <summary>An entry's resource: <c>Bundle.entry[2].resource[0]</c> (validator) or <c>Bundle.entry[2].resource</c> (parser).</summary>
    [GeneratedRegex(@"^Bundle\.entry\[(\d+)\]\.resource(\[\d+\])?")]
    private static partial Regex Entry();

    /// <summary>Where a parse error is: "... At CarePlan.activity[0].detail.description, line 1, ...".</summary>
    [GeneratedRegex(@" At ([A-Za-z][\w.\[\]]*), line ")]
    private static partial Regex ParsedAt();
}

/// <summary>A response that is not valid FHIR R4: an assertion failure of the test that got it.</summary>
internal sealed class FhirValidationException(string message) : Xunit.Sdk.XunitException(message);
