using Aftercare.App.Data;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Referrals;
using Aftercare.Fhir;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Referrals;

/// <summary>A referral (a warm handoff) as a FHIR ServiceRequest to a HealthcareService, its read and its search by patient.</summary>
public static class ServiceRequestFhir
{
    public const string Type = "ServiceRequest";

    public static readonly SearchDeclaration Searched = new(Type, FhirParameter.Patient) { ByPatient = true };

    public static CapabilityStatement.ResourceComponent Capability() => Fhir.Capability.Resource(Searched);

    public static async Task<IResult> Read(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var referral = Guid.TryParse(id, out var g) ? await db.Referrals.AsNoTracking().FirstOrDefaultAsync(r => r.Id == g, ct) : null;
        var service = referral is null ? null : await db.Services.AsNoTracking().FirstAsync(s => s.Id == referral.ServiceId, ct);
        return await RecordAnswers.ReadAsync(context, db, clock, Type, id, referral is null ? null : ToServiceRequest(referral, service!), referral?.PersonId, ct);
    }

    public static Task<IResult> Search(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct) =>
        RecordAnswers.SearchAsync(context, db, clock, Searched, (_, person, token) => Record(db, "", person, token), ct);

    /// <summary>This type's resources in one person's record, as its search finds them before filtering and paging (and <c>$export</c> writes them).</summary>
    internal static async Task<List<Resource>> Record(AftercareDbContext db, string appBase, Guid personId, CancellationToken token)
    {
        var services = await db.Services.AsNoTracking().ToDictionaryAsync(s => s.Id, token);
        return [.. (await db.Referrals.AsNoTracking().Where(r => r.PersonId == personId).OrderByDescending(r => r.Id).ToListAsync(token))
            .Select(r => (Resource)ToServiceRequest(r, services[r.ServiceId]))];
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
        LastUpdated = referral.Steps is [.., var last] ? last.At : referral.SentAt,
    };
}
