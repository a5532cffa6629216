using Hl7.Fhir.Model;

namespace Aftercare.Fhir;

/// <summary>The CapabilityStatement: exactly what works, no more.</summary>
public static class Capability
{
    public static CapabilityStatement Statement(string baseUrl)
    {
        var rest = new CapabilityStatement.RestComponent { Mode = CapabilityStatement.RestfulCapabilityMode.Server };
        rest.Resource.Add(Resource("Patient", [("identifier", SearchParamType.Token)]));
        rest.Resource.Add(Resource("Encounter", [("patient", SearchParamType.Reference), ("subject", SearchParamType.Reference), ("date", SearchParamType.Date)]));
        rest.Resource.Add(Resource("Condition", [("patient", SearchParamType.Reference), ("subject", SearchParamType.Reference)]));
        var carePlan = Resource("CarePlan", [("patient", SearchParamType.Reference), ("subject", SearchParamType.Reference), ("category", SearchParamType.Token)]);
        carePlan.Interaction.Add(new() { Code = CapabilityStatement.TypeRestfulInteraction.Vread });
        carePlan.Interaction.Add(new() { Code = CapabilityStatement.TypeRestfulInteraction.HistoryInstance });
        carePlan.Interaction.Add(new() { Code = CapabilityStatement.TypeRestfulInteraction.Create, Documentation = "Safety plans only (category LOINC 87626-8), one activity per section." });
        carePlan.Interaction.Add(new() { Code = CapabilityStatement.TypeRestfulInteraction.Update, Documentation = "Safety plans only; If-Match is required and a stale version gets 412." });
        carePlan.Versioning = CapabilityStatement.ResourceVersionPolicy.VersionedUpdate;
        carePlan.UpdateCreate = false;
        carePlan.Documentation = "Care plans (category assess-plan, read only) and safety plans (LOINC 87626-8, read and write); every saved version is a FHIR version.";
        rest.Resource.Add(carePlan);
        rest.Resource.Add(Resource("EpisodeOfCare", [("patient", SearchParamType.Reference)]));
        rest.Resource.Add(Resource("ServiceRequest", [("patient", SearchParamType.Reference)]));
        rest.Resource.Add(Resource("HealthcareService", []));
        var responses = Resource("QuestionnaireResponse", [("patient", SearchParamType.Reference)]);
        responses.Interaction.Add(new() { Code = CapabilityStatement.TypeRestfulInteraction.Vread });
        responses.Documentation = "Psychosocial assessments, narrative only; the definition is Questionnaire/psychosocial-assessment.";
        rest.Resource.Add(responses);
        rest.Resource.Add(new CapabilityStatement.ResourceComponent { Type = "Questionnaire", Interaction = [new() { Code = CapabilityStatement.TypeRestfulInteraction.Read }] });
        CareRecordApi.Describe(rest);
        rest.Interaction.Add(new CapabilityStatement.SystemInteractionComponent
        {
            Code = CapabilityStatement.SystemRestfulInteraction.Transaction,
            Documentation = "Intake: a Bundle with a Patient (ifNoneExist=identifier=system|value links to an existing person) or a reference to one, one Encounter and a Condition; all or nothing.",
        });
        rest.Security = new CapabilityStatement.SecurityComponent
        {
            Service = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/restful-security-service", "SMART-on-FHIR")],
            Description = "Sign-in session (cookie) with the Aftercare roles, or a SMART on FHIR token: App Launch (authorization code with PKCE; patient/* tokens are held to the chosen person) or backend services (client credentials, private_key_jwt). Scopes narrow what the roles allow. See /.well-known/smart-configuration.",
        };
        return new CapabilityStatement
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
    }

    /// <summary>Every search takes these.</summary>
    public static readonly (string Name, SearchParamType Type)[] CommonSearchParameters =
        [("_lastUpdated", SearchParamType.Date), ("_count", SearchParamType.Number), ("_offset", SearchParamType.Number)];

    internal static CapabilityStatement.ResourceComponent Resource(string type, (string Name, SearchParamType Type)[] parameters)
    {
        var resource = new CapabilityStatement.ResourceComponent
        {
            Type = type,
            Interaction =
            [
                new() { Code = CapabilityStatement.TypeRestfulInteraction.Read },
                new() { Code = CapabilityStatement.TypeRestfulInteraction.SearchType },
            ],
        };
        // Every patient search of a resource with a status element also takes status (FhirApi.StatusMatches).
        var status = parameters.Any(p => p.Name == "patient") && FhirApi.HasStatus(type) ? [("status", SearchParamType.Token)] : Array.Empty<(string, SearchParamType)>();
        foreach (var (name, kind) in parameters.Concat(status).Concat(CommonSearchParameters))
        {
            resource.SearchParam.Add(new CapabilityStatement.SearchParamComponent { Name = name, Type = kind });
        }

        return resource;
    }
}
