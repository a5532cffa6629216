using Hl7.Fhir.Model;

namespace Aftercare.Fhir;

/// <summary>
/// The rest of the care record as read-only FHIR resources (Goal, Task, Appointment,
/// CommunicationRequest, Communication, Consent, DocumentReference, AuditEvent, Practitioner,
/// Organization). Each is listed in the CapabilityStatement only once it works.
/// </summary>
public static class CareRecordApi
{
    public static RouteGroupBuilder MapCareRecord(this RouteGroupBuilder read) => read;

    public static void Describe(CapabilityStatement.RestComponent rest) => ArgumentNullException.ThrowIfNull(rest);
}
