using Aftercare.App.Data;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Referrals;
using Aftercare.Fhir;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Referrals;

/// <summary>The services directory as FHIR HealthcareService: not patient data, so read and listed without a patient and not audited.</summary>
public static class HealthcareServiceFhir
{
    public const string Type = "HealthcareService";

    /// <summary>No <c>_lastUpdated</c>: the directory is updated in place from configuration at start-up, and keeps no time of it.</summary>
    public static readonly SearchDeclaration Searched = new(Type) { LastUpdated = false };

    public const string ServiceSystem = "urn:aftercare:service";

    public static CapabilityStatement.ResourceComponent Capability() => Fhir.Capability.Resource(Searched);

    public static async Task<IResult> Read(string id, AftercareDbContext db, CancellationToken ct)
    {
        var service = Guid.TryParse(id, out var g) ? await db.Services.AsNoTracking().FirstOrDefaultAsync(s => s.Id == g, ct) : null;
        return service is null ? Outcomes.NotFound(Type, id) : FhirJson.Ok(ToHealthcareService(service));
    }

    public static Task<IResult> Search(HttpContext context, AftercareDbContext db, CancellationToken ct) =>
        RecordAnswers.ListAsync(context, Searched, _ => db.Services.AsNoTracking().OrderBy(s => s.Code), ToHealthcareService, ct);

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
