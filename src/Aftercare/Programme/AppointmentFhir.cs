using System.Globalization;
using Aftercare.App.Data;
using Aftercare.Domain.Plans;
using Aftercare.Domain.Presentations;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Referrals;
using Aftercare.Fhir;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Programme;

/// <summary>Scheduled aftercare contacts as FHIR Appointment (booked, fulfilled or cancelled), read and searched by patient.</summary>
public static class AppointmentFhir
{
    public const string Type = "Appointment";

    public static readonly SearchDeclaration Searched = new(Type, FhirParameter.Patient) { ByPatient = true };

    public static CapabilityStatement.ResourceComponent Capability() =>
        Fhir.Capability.Resource(Searched, "Scheduled aftercare contacts: booked, fulfilled or cancelled.");

    public static async Task<IResult> Read(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var contact = Guid.TryParse(id, out var g) ? await db.Contacts.AsNoTracking().FirstOrDefaultAsync(x => x.Id == g, ct) : null;
        return await RecordAnswers.ReadAsync(context, db, clock, Type, id, contact is null ? null : ToAppointment(contact), contact?.PersonId, ct);
    }

    public static Task<IResult> Search(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct) =>
        RecordAnswers.SearchAsync(context, db, clock, Searched, (_, person, token) => Record(db, "", person, token), ct);

    /// <summary>This type's resources in one person's record, as its search finds them before filtering and paging (and <c>$export</c> writes them).</summary>
    internal static async Task<List<Resource>> Record(AftercareDbContext db, string appBase, Guid personId, CancellationToken token) =>
        [.. (await db.Contacts.AsNoTracking().Where(x => x.PersonId == personId).OrderBy(x => x.OriginallyDueAt).ThenBy(x => x.Id).ToListAsync(token)).Select(x => (Resource)ToAppointment(x))];

    /// <summary>
    /// A contact in an aftercare episode (first contact within 48 hours, then the schedule; NG225):
    /// <c>booked</c> while due, <c>fulfilled</c> when the person was reached, <c>cancelled</c> when
    /// they declined it, when the episode closed first, or when a new schedule replaced it because
    /// they came back for help. <c>noshow</c> is never used: not answering never ends a contact
    /// (rule 11), it stays booked at the retry time. A contact has a due time, not a length, so
    /// <c>end</c> equals <c>start</c> (FHIR needs both on a booked appointment). The notes of each
    /// try (how the person is feeling) stay in the record and are not sent.
    /// </summary>
    public static Appointment ToAppointment(ScheduledContact contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        var (status, participation, cancelled) = (contact.Status, contact.Outcome) switch
        {
            (ContactStatus.Done, ContactOutcome.Declined) => (Appointment.AppointmentStatus.Cancelled, ParticipationStatus.Declined, "The person declined the contact"),
            (ContactStatus.Done, _) => (Appointment.AppointmentStatus.Fulfilled, ParticipationStatus.Accepted, null),
            (ContactStatus.Superseded, _) => (Appointment.AppointmentStatus.Cancelled, ParticipationStatus.NeedsAction, "Replaced by a new schedule when the person came back for help"),
            (ContactStatus.Cancelled, _) => (Appointment.AppointmentStatus.Cancelled, ParticipationStatus.NeedsAction, "The aftercare episode closed before it was due"),
            _ => (Appointment.AppointmentStatus.Booked, ParticipationStatus.NeedsAction, (string?)null),
        };
        var appointment = new Appointment
        {
            Id = contact.Id.ToString(),
            Meta = new Meta { VersionId = (contact.Version + 1).ToString(CultureInfo.InvariantCulture), LastUpdated = contact.CompletedAt ?? (contact.Attempts is [.., var last] ? last.At : FhirIds.CreatedAt(contact.Id)) },
            Status = status,
            CancelationReason = cancelled is null ? null : new CodeableConcept { Text = cancelled },
            AppointmentType = new CodeableConcept { Text = contact.Kind.Describe() },
            Description = $"{contact.Kind.Describe()} in aftercare",
            Start = contact.DueAt,
            End = contact.DueAt,
            Comment = contact.NotReachedCount > 0 ? $"Not reached {Aftercare.App.Words.Times(contact.NotReachedCount)}; tried again." : null,
        };
        appointment.SupportingInformation.Add(new ResourceReference($"EpisodeOfCare/{contact.EpisodeId}"));
        appointment.Participant.Add(new Appointment.ParticipantComponent
        {
            Actor = new ResourceReference($"Patient/{contact.PersonId}"),
            Required = Appointment.ParticipantRequired.Required,
            Status = participation,
        });
        return appointment;
    }
}
