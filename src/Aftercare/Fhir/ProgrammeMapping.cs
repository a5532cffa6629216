using Aftercare.Domain.Programme;
using Aftercare.Domain.Referrals;
using Hl7.Fhir.Model;

namespace Aftercare.Fhir;

/// <summary>Aftercare episodes, referrals and the services directory as FHIR, field by field.</summary>
public static class ProgrammeMapping
{
    public const string PathwaySystem = "urn:aftercare:pathway";
    public const string ServiceSystem = "urn:aftercare:service";

    public static EpisodeOfCare ToEpisodeOfCare(Episode episode)
    {
        ArgumentNullException.ThrowIfNull(episode);
        var resource = new EpisodeOfCare
        {
            Id = episode.Id.ToString(),
            Meta = new Meta { VersionId = "1", LastUpdated = episode.ClosedAt ?? episode.LastReEngagedAt ?? episode.EnrolledAt },
            Status = episode.Status == EpisodeStatus.Active ? EpisodeOfCare.EpisodeOfCareStatus.Active : EpisodeOfCare.EpisodeOfCareStatus.Finished,
            Patient = new ResourceReference($"Patient/{episode.PersonId}"),
            Period = new Period { StartElement = new FhirDateTime(episode.DischargedAt), EndElement = episode.ClosedAt is { } c ? new FhirDateTime(c) : null },
        };
        resource.Type.Add(new CodeableConcept(PathwaySystem, episode.PathwayId, episode.PathwayName));
        resource.Diagnosis.Add(new EpisodeOfCare.DiagnosisComponent { Condition = new ResourceReference($"Condition/{episode.PresentationId}") });
        return resource;
    }

    public static ServiceRequest ToServiceRequest(Referral referral, ListedService service)
    {
        ArgumentNullException.ThrowIfNull(referral);
        ArgumentNullException.ThrowIfNull(service);
        var request = new ServiceRequest
        {
            Id = referral.Id.ToString(),
            Meta = ReferralMeta(referral),
            // A warm handoff is active until the person has attended, declined or could not be reached.
            Status = referral.IsClosed ? RequestStatus.Completed : RequestStatus.Active,
            Intent = RequestIntent.Order,
            Subject = new ResourceReference($"Patient/{referral.PersonId}"),
            AuthoredOnElement = new FhirDateTime(referral.SentAt),
            Code = new CodeableConcept { Text = $"Referral to {service.Name}" },
        };
        request.Performer.Add(new ResourceReference($"HealthcareService/{service.Id}") { Display = service.Name });
        request.ReasonCode.Add(new CodeableConcept { Text = referral.Reason });
        request.Note.Add(new Annotation { Text = $"{referral.Status.Describe()}. {referral.Preference.Describe()}." });
        return request;
    }

    /// <summary>A referral's FHIR version moves with each step of the handoff; its ServiceRequest and Task share it.</summary>
    internal static Meta ReferralMeta(Referral referral) => new()
    {
        VersionId = (referral.Version + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
        LastUpdated = (referral.Steps is [.., var last] ? last.At : referral.SentAt),
    };

    public static HealthcareService ToHealthcareService(ListedService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var resource = new HealthcareService
        {
            Id = service.Id.ToString(),
            Meta = new Meta { VersionId = "1" },
            Active = true,
            Name = service.Name,
            Comment = service.Description,
        };
        resource.Identifier.Add(new Identifier(ServiceSystem, service.Code));
        resource.Type.Add(new CodeableConcept(ServiceSystem + ":kind", service.Kind.ToString(), service.Kind.Describe()));
        resource.Category.Add(new CodeableConcept { Text = service.IsClinical ? "Clinical service" : "Non-clinical service" });
        if (service.Phone is { } phone)
        {
            resource.Telecom.Add(new ContactPoint(ContactPoint.ContactPointSystem.Phone, ContactPoint.ContactPointUse.Work, phone));
        }

        return resource;
    }
}
