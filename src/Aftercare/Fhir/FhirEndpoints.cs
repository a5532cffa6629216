using Aftercare.Access;
using Aftercare.Account;
using Aftercare.Assessments;
using Aftercare.Audit;
using Aftercare.Fhir.Bulk;
using Aftercare.Messaging;
using Aftercare.People;
using Aftercare.Plans;
using Aftercare.Presentations;
using Aftercare.Programme;
using Aftercare.Referrals;
using Aftercare.Sharing;
using Aftercare.Smart;

namespace Aftercare.Fhir;

/// <summary>
/// FHIR R4 at /fhir, as a table: each route (composed in <see cref="FhirRoutes"/>) to a named handler
/// in its resource's file beside its feature (People/PatientFhir.cs, Plans/CarePlanFhir.cs, ...).
/// What works is exactly what the CapabilityStatement says (<see cref="Capability"/>, built from
/// the same resources' declarations). Every answer about a person passes need-to-know and is audited
/// (<see cref="FhirAccess"/>).
/// </summary>
public static class FhirEndpoints
{
    public static IEndpointRouteBuilder MapFhir(this IEndpointRouteBuilder app)
    {
        var fhir = app.MapGroup(FhirRoutes.Base).DisableAntiforgery().WithMetadata(new RecordCheckedOnAnswerAttribute());
        fhir.MapGet(FhirRoutes.Metadata, Capability.Metadata).AllowAnonymous();

        // What this server's canonical URLs name: not patient data, so resolvable without a sign-in.
        var definitions = fhir.MapGroup("").AllowAnonymous();
        definitions.MapGet(FhirRoutes.Instance(DefinitionsFhir.StructureDefinitionType), DefinitionsFhir.ReadStructureDefinition);
        definitions.MapGet(FhirRoutes.Type(DefinitionsFhir.StructureDefinitionType), DefinitionsFhir.SearchStructureDefinitions);
        definitions.MapGet(FhirRoutes.Instance(DefinitionsFhir.CodeSystemType), DefinitionsFhir.ReadCodeSystem);
        definitions.MapGet(FhirRoutes.Type(DefinitionsFhir.CodeSystemType), DefinitionsFhir.SearchCodeSystems);
        definitions.MapGet(FhirRoutes.Instance(QuestionnaireResponseFhir.QuestionnaireType), DefinitionsFhir.ReadQuestionnaire);
        definitions.MapGet(FhirRoutes.Type(QuestionnaireResponseFhir.QuestionnaireType), DefinitionsFhir.SearchQuestionnaires);

        var read = fhir.MapGroup("").RequireAuthorization(SmartSetup.FhirRead);
        read.MapGet(FhirRoutes.Instance(PatientFhir.Type), PatientFhir.Read);
        read.MapGet(FhirRoutes.Type(PatientFhir.Type), PatientFhir.Search);
        read.MapGet(FhirRoutes.Instance(EncounterFhir.Type), EncounterFhir.Read);
        read.MapGet(FhirRoutes.Type(EncounterFhir.Type), EncounterFhir.Search);
        read.MapGet(FhirRoutes.Instance(ConditionFhir.Type), ConditionFhir.Read);
        read.MapGet(FhirRoutes.Type(ConditionFhir.Type), ConditionFhir.Search);
        read.MapGet(FhirRoutes.Instance(CarePlanFhir.Type), CarePlanFhir.Read);
        read.MapGet(FhirRoutes.InstanceVersion(CarePlanFhir.Type), CarePlanFhir.ReadVersion);
        read.MapGet(FhirRoutes.InstanceHistory(CarePlanFhir.Type), CarePlanFhir.History);
        read.MapGet(FhirRoutes.Type(CarePlanFhir.Type), CarePlanFhir.Search);
        read.MapGet(FhirRoutes.Instance(EpisodeOfCareFhir.Type), EpisodeOfCareFhir.Read);
        read.MapGet(FhirRoutes.Type(EpisodeOfCareFhir.Type), EpisodeOfCareFhir.Search);
        read.MapGet(FhirRoutes.Instance(ServiceRequestFhir.Type), ServiceRequestFhir.Read);
        read.MapGet(FhirRoutes.Type(ServiceRequestFhir.Type), ServiceRequestFhir.Search);
        read.MapGet(FhirRoutes.Instance(HealthcareServiceFhir.Type), HealthcareServiceFhir.Read);
        read.MapGet(FhirRoutes.Type(HealthcareServiceFhir.Type), HealthcareServiceFhir.Search);
        read.MapGet(FhirRoutes.Instance(QuestionnaireResponseFhir.Type), QuestionnaireResponseFhir.Read);
        read.MapGet(FhirRoutes.InstanceVersion(QuestionnaireResponseFhir.Type), QuestionnaireResponseFhir.ReadVersion);
        read.MapGet(FhirRoutes.Type(QuestionnaireResponseFhir.Type), QuestionnaireResponseFhir.Search);
        read.MapGet(FhirRoutes.Instance(GoalFhir.Type), GoalFhir.Read);
        read.MapGet(FhirRoutes.Type(GoalFhir.Type), GoalFhir.Search);
        read.MapGet(FhirRoutes.Instance(TaskFhir.Type), TaskFhir.Read);
        read.MapGet(FhirRoutes.Type(TaskFhir.Type), TaskFhir.Search);
        read.MapGet(FhirRoutes.Instance(AppointmentFhir.Type), AppointmentFhir.Read);
        read.MapGet(FhirRoutes.Type(AppointmentFhir.Type), AppointmentFhir.Search);
        read.MapGet(FhirRoutes.Instance(CommunicationFhir.RequestType), CommunicationFhir.ReadRequest);
        read.MapGet(FhirRoutes.Type(CommunicationFhir.RequestType), CommunicationFhir.SearchRequests);
        read.MapGet(FhirRoutes.Instance(CommunicationFhir.Type), CommunicationFhir.Read);
        read.MapGet(FhirRoutes.Type(CommunicationFhir.Type), CommunicationFhir.Search);
        read.MapGet(FhirRoutes.Instance(ConsentFhir.Type), ConsentFhir.Read);
        read.MapGet(FhirRoutes.Type(ConsentFhir.Type), ConsentFhir.Search);
        read.MapGet(FhirRoutes.Instance(DocumentReferenceFhir.Type), DocumentReferenceFhir.Read);
        read.MapGet(FhirRoutes.Type(DocumentReferenceFhir.Type), DocumentReferenceFhir.Search);
        read.MapGet(FhirRoutes.Instance(PractitionerFhir.Type), PractitionerFhir.Read);
        read.MapGet(FhirRoutes.Type(PractitionerFhir.Type), PractitionerFhir.Search);
        read.MapGet(FhirRoutes.Instance(OrganizationFhir.Type), OrganizationFhir.Read);
        read.MapGet(FhirRoutes.Type(OrganizationFhir.Type), OrganizationFhir.Search);
        read.MapGet(FhirRoutes.Instance(Bulk.GroupFhir.Type), Bulk.GroupFhir.Read);
        read.MapGet(FhirRoutes.Type(Bulk.GroupFhir.Type), Bulk.GroupFhir.Search);
        read.MapPost(FhirRoutes.TypeSearch("{type}"), FhirSearch.Post);

        // Bulk Data $export, its status URL and its files: backend services only (Fhir/Bulk/).
        fhir.MapBulkExport();

        var audit = fhir.MapGroup("").RequireAuthorization(AuditEventFhir.Policy);
        audit.MapGet(FhirRoutes.Instance(AuditEventFhir.Type), AuditEventFhir.Read);
        audit.MapGet(FhirRoutes.Type(AuditEventFhir.Type), AuditEventFhir.Search);
        audit.MapPost(FhirRoutes.TypeSearch(AuditEventFhir.Type), FhirSearch.Post);

        var write = fhir.MapGroup("").RequireAuthorization(SmartSetup.FhirWrite);
        write.MapPost(FhirRoutes.Transaction, Transaction.Post);
        write.MapPost(FhirRoutes.Type(CarePlanFhir.Type), CarePlanFhir.Create);
        write.MapPut(FhirRoutes.Instance(CarePlanFhir.Type), CarePlanFhir.Update);
        write.MapPost(FhirRoutes.Type(EncounterFhir.Type), EncounterFhir.Create);
        write.MapPut(FhirRoutes.Instance(EncounterFhir.Type), EncounterFhir.Update);
        write.MapPut(FhirRoutes.Type(EncounterFhir.Type), EncounterFhir.ConditionalUpdate);
        write.MapPut(FhirRoutes.Instance(ConditionFhir.Type), ConditionFhir.Update);
        write.MapPut(FhirRoutes.Type(ConditionFhir.Type), ConditionFhir.ConditionalUpdate);
        write.MapPost(FhirRoutes.AnyType, Transaction.Create);

        // Last, by route precedence: whatever the table above does not hold (FhirEdge: 404, or 405 with Allow).
        fhir.Map(FhirRoutes.Unmatched, FhirEdge.Unmatched).AllowAnonymous();
        return app;
    }
}
