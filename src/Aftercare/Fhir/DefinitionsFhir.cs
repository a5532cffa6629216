using System.Reflection;
using Aftercare.Assessments;
using Hl7.Fhir.Model;

namespace Aftercare.Fhir;

/// <summary>
/// What this server's canonical URLs name, served where they point (<see cref="CanonicalUrls"/>):
/// StructureDefinitions (Aftercare's extensions and profiles), CodeSystems (safety-plan sections,
/// dispositions, message kinds) and the psychosocial-assessment Questionnaire. Each is read by id
/// and searched by <c>url</c>. They are kept in the repo as FHIR JSON (Fhir/Definitions/*.json,
/// embedded in the binary), except the Questionnaire, which is made from the assessment's own
/// sections so the two cannot differ. Not patient data: answered without a sign-in, as
/// <c>/metadata</c> is, so that a validator can resolve them.
/// </summary>
public static class DefinitionsFhir
{
    public const string StructureDefinitionType = "StructureDefinition";
    public const string CodeSystemType = "CodeSystem";

    public static readonly FhirParameter Url = new("url", SearchParamType.Uri);

    public static readonly SearchDeclaration StructureDefinitions = new(StructureDefinitionType, Url) { LastUpdated = false };
    public static readonly SearchDeclaration CodeSystems = new(CodeSystemType, Url) { LastUpdated = false };
    public static readonly SearchDeclaration Questionnaires = new(QuestionnaireResponseFhir.QuestionnaireType, Url) { LastUpdated = false };

    private static readonly Lazy<IReadOnlyList<Resource>> Loaded = new(Load);

    /// <summary>Every definition this server publishes, its URLs under <see cref="CanonicalUrls.Base"/>.</summary>
    public static IReadOnlyList<Resource> All => Loaded.Value;

    /// <summary>A definition by its canonical URL (as the code writes it), or null.</summary>
    public static T? Find<T>(string canonical) where T : Resource =>
        All.OfType<T>().FirstOrDefault(r => UrlOf(r) == canonical);

    /// <summary>A definition's canonical URL.</summary>
    public static string? UrlOf(Resource definition) => definition switch
    {
        StructureDefinition d => d.Url,
        CodeSystem c => c.Url,
        Questionnaire q => q.Url,
        _ => null,
    };

    /// <summary>
    /// A profile as it is served: Firely's SnapshotGenerator marks each snapshot type with the
    /// structuredefinition-fhir-type extension on <c>type</c>, where R4 allows it only on
    /// <c>type.code</c>, so the R4 validator refuses the served profile (error 1028). The mark says
    /// nothing a client needs, so it is taken off, here and in the test that regenerates snapshots.
    /// </summary>
    public static StructureDefinition Publishable(StructureDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        foreach (var type in definition.Snapshot?.Element.SelectMany(e => e.Type) ?? [])
        {
            type.Extension.Clear();
        }

        return definition;
    }

    private static List<Resource> Load()
    {
        var assembly = typeof(DefinitionsFhir).Assembly;
        var found = new List<Resource>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.Contains(".Fhir.Definitions.", StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            var parsed = FhirJson.Parse(new StreamReader(stream).ReadToEnd());
            if (!parsed.IsSuccess)
            {
                throw new InvalidOperationException($"The definition {name} is not valid FHIR: {string.Join("; ", parsed.Errors.Select(e => e.Message))}");
            }

            found.Add(parsed.Value is StructureDefinition definition ? Publishable(definition) : parsed.Value);
        }

        found.Add(QuestionnaireResponseFhir.Definition());
        return found;
    }

    public static CapabilityStatement.ResourceComponent Capability(SearchDeclaration declared) =>
        Fhir.Capability.Resource(declared, "Published by this server, at the URL each names; read without a sign-in.");

    public static IResult ReadStructureDefinition(string id) => Read(StructureDefinitionType, id);

    public static IResult ReadCodeSystem(string id) => Read(CodeSystemType, id);

    public static IResult ReadQuestionnaire(string id) => Read(QuestionnaireResponseFhir.QuestionnaireType, id);

    public static IResult SearchStructureDefinitions(HttpContext context) => Search(context, StructureDefinitions);

    public static IResult SearchCodeSystems(HttpContext context) => Search(context, CodeSystems);

    public static IResult SearchQuestionnaires(HttpContext context) => Search(context, Questionnaires);

    private static IResult Read(string type, string id) =>
        All.FirstOrDefault(r => r.TypeName == type && r.Id == id) is { } found ? FhirJson.Ok(found) : Outcomes.NotFound(type, id);

    /// <summary>A search of one type's definitions, by <c>url</c> (a comma is "any of"), as a client has the URL: on this server's address.</summary>
    private static IResult Search(HttpContext context, SearchDeclaration declared)
    {
        if (!FhirSearch.Read(context, declared, out var search, out var refusal))
        {
            return refusal!;
        }

        var publicBase = CanonicalUrls.PublicBase(context);
        var urls = search.Value(Url.Name).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(u => CanonicalUrls.Internal(u, publicBase)).ToList();
        var found = All.Where(r => r.TypeName == declared.Type && (urls.Count == 0 || urls.Contains(UrlOf(r) ?? "")))
            .OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
        return FhirJson.Ok(search.Page(found));
    }
}
