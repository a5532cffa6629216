using Aftercare.Account;
using Aftercare.Assessments;
using Aftercare.Audit;
using Aftercare.Messaging;
using Aftercare.People;
using Aftercare.Plans;
using Aftercare.Presentations;
using Aftercare.Programme;
using Aftercare.Referrals;
using Aftercare.Sharing;
using Hl7.Fhir.Model;

namespace Aftercare.Fhir;

/// <summary>
/// The CapabilityStatement: exactly what works, no more. Each resource describes itself beside its
/// handlers, and its search parameters are the <see cref="SearchDeclaration"/> its search reads, so
/// the statement cannot promise a parameter the search refuses (or miss one it takes).
/// </summary>
public static class Capability
{
    public static IResult Metadata(HttpContext context) => FhirJson.Ok(Statement(FhirRoutes.BaseUrl(context)));

    /// <summary>The resource types this server serves, as the statement lists them.</summary>
    public static IReadOnlySet<string> Types { get; } = Statement("").Rest[0].Resource.Select(r => r.Type!).ToHashSet(StringComparer.Ordinal);

    public static CapabilityStatement Statement(string baseUrl)
    {
        var rest = new CapabilityStatement.RestComponent { Mode = CapabilityStatement.RestfulCapabilityMode.Server };
        rest.Resource.AddRange(
        [
            PatientFhir.Capability(),
            EncounterFhir.Capability(),
            ConditionFhir.Capability(),
            CarePlanFhir.Capability(),
            EpisodeOfCareFhir.Capability(),
            ServiceRequestFhir.Capability(),
            HealthcareServiceFhir.Capability(),
            QuestionnaireResponseFhir.Capability(),
            DefinitionsFhir.Capability(DefinitionsFhir.Questionnaires),
            GoalFhir.Capability(),
            TaskFhir.Capability(),
            AppointmentFhir.Capability(),
            CommunicationFhir.RequestCapability(),
            CommunicationFhir.Capability(),
            ConsentFhir.Capability(),
            DocumentReferenceFhir.Capability(),
            AuditEventFhir.Capability(),
            PractitionerFhir.Capability(),
            OrganizationFhir.Capability(),
            DefinitionsFhir.Capability(DefinitionsFhir.StructureDefinitions),
            DefinitionsFhir.Capability(DefinitionsFhir.CodeSystems),
            Bulk.GroupFhir.Capability(),
        ]);
        Transaction.Describe(rest);
        rest.Security = new CapabilityStatement.SecurityComponent
        {
            Service = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/restful-security-service", "SMART-on-FHIR")],
            Description = "Sign-in session (cookie) with the Aftercare roles, or a SMART on FHIR token: App Launch (authorization code with PKCE; patient/* tokens are held to the chosen person) or backend services (client credentials, private_key_jwt). Scopes narrow what the roles allow. See /.well-known/smart-configuration.",
        };
        var statement = new CapabilityStatement
        {
            Status = PublicationStatus.Active,
            Date = "2026-11-22",
            Kind = CapabilityStatementKind.Instance,
            Software = new CapabilityStatement.SoftwareComponent { Name = "Aftercare" },
            Implementation = new CapabilityStatement.ImplementationComponent { Description = "Aftercare FHIR R4 API", Url = baseUrl },
            FhirVersion = FHIRVersion.N4_0_1,
            Format = ["application/fhir+json"],
            Rest = [rest],
        };
        Bulk.BulkExportFhir.Describe(statement);
        return statement;
    }

    /// <summary>A resource that is read and searched, with the parameters its search declares.</summary>
    public static CapabilityStatement.ResourceComponent Resource(SearchDeclaration searched, string? documentation = null)
    {
        ArgumentNullException.ThrowIfNull(searched);
        var resource = new CapabilityStatement.ResourceComponent
        {
            Type = searched.Type,
            Interaction =
            [
                new() { Code = CapabilityStatement.TypeRestfulInteraction.Read },
                new()
                {
                    Code = CapabilityStatement.TypeRestfulInteraction.SearchType,
                    Documentation = $"GET {searched.Type}?... or POST {searched.Type}/_search with the parameters as application/x-www-form-urlencoded. A comma is \"any of\"; _count=0 or _summary=count gives the total only; follow the next link to page (keyset: no resource repeats or is skipped).",
                },
            ],
            Documentation = documentation,
        };
        foreach (var parameter in searched.Advertised)
        {
            resource.SearchParam.Add(new CapabilityStatement.SearchParamComponent { Name = parameter.Name, Type = parameter.Type });
        }

        // From the same declaration the search reads its includes by (FhirIncludes).
        resource.SearchInclude = [.. searched.AllIncludes.Select(i => i.Name)];
        resource.SearchRevInclude = [.. searched.RevIncludes.Select(i => i.Name)];

        return resource;
    }
}
