using Aftercare.App.Data;
using Aftercare.Domain.Messaging;
using Aftercare.Fhir;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Messaging;

/// <summary>
/// Caring messages and invitations as FHIR, without their words or address: every outbox message
/// is a CommunicationRequest; only those the outbox finished sending (or gave up on) are a
/// Communication. Both read and searched by patient.
/// </summary>
public static class CommunicationFhir
{
    public const string RequestType = "CommunicationRequest";
    public const string Type = "Communication";

    public static readonly SearchDeclaration RequestsSearched = new(RequestType, FhirParameter.Patient, FhirParameter.Subject) { ByPatient = true };
    public static readonly SearchDeclaration Searched = new(Type, FhirParameter.Patient, FhirParameter.Subject) { ByPatient = true };

    public const string MessageKindSystem = CanonicalUrls.CodeSystemBase + "message-kind";
    private const string ParticipationModeSystem = "http://terminology.hl7.org/CodeSystem/v3-ParticipationMode";

    public static CapabilityStatement.ResourceComponent RequestCapability() =>
        Fhir.Capability.Resource(RequestsSearched, "Caring messages and invitations in the outbox, without their words or address.");

    public static CapabilityStatement.ResourceComponent Capability() =>
        Fhir.Capability.Resource(Searched, "Caring messages sent (completed) or given up on (not-done), without their words or address.");

    public static Task<IResult> ReadRequest(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct) => ReadMessage(id, false, context, db, clock, ct);

    public static Task<IResult> Read(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct) => ReadMessage(id, true, context, db, clock, ct);

    public static Task<IResult> SearchRequests(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct) =>
        RecordAnswers.SearchAsync(context, db, clock, RequestsSearched, (_, person, token) => RequestRecord(db, "", person, token), ct);

    public static Task<IResult> Search(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct) =>
        RecordAnswers.SearchAsync(context, db, clock, Searched, (_, person, token) => Record(db, "", person, token), ct);

    /// <summary>The person's CommunicationRequests, as the search finds them before filtering and paging (and <c>$export</c> writes them).</summary>
    internal static async Task<List<Resource>> RequestRecord(AftercareDbContext db, string appBase, Guid personId, CancellationToken token) =>
        [.. (await Messages(db, personId, false, token)).Select(m => (Resource)ToCommunicationRequest(m))];

    /// <summary>The person's Communications, as the search finds them before filtering and paging (and <c>$export</c> writes them).</summary>
    internal static async Task<List<Resource>> Record(AftercareDbContext db, string appBase, Guid personId, CancellationToken token) =>
    [
        .. (await Messages(db, personId, true, token)).Select(m => (Resource)ToCommunication(m)),
        .. (await App.Messaging.PersonMessages.Thread(db, personId, token)).Select(m => (Resource)ToCommunication(m)),
    ];

    private static async Task<IResult> ReadMessage(string id, bool communication, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var message = Guid.TryParse(id, out var g) ? await db.OutboxMessages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == g, ct) : null;
        Resource? resource = message is null ? null
            : !communication ? ToCommunicationRequest(message)
            : message.Status is MessageStatus.Sent or MessageStatus.Failed ? ToCommunication(message) : null;
        var personId = message?.PersonId;
        if (message is null && communication && Guid.TryParse(id, out var threadId)
            && await db.PersonMessages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == threadId, ct) is { } written)
        {
            (resource, personId) = (ToCommunication(written), written.PersonId);
        }

        return await RecordAnswers.ReadAsync(context, db, clock, communication ? Type : RequestType, id, resource, personId, ct);
    }

    private static Task<List<OutboxMessage>> Messages(AftercareDbContext db, Guid personId, bool finished, CancellationToken ct) =>
        db.OutboxMessages.AsNoTracking()
            .Where(m => m.PersonId == personId && (!finished || m.Status == MessageStatus.Sent || m.Status == MessageStatus.Failed))
            .OrderBy(m => m.DueAt).ThenBy(m => m.Id).ToListAsync(ct);

    /// <summary>
    /// A caring message or invitation in the outbox, as the request to send it: <c>active</c> while
    /// waiting, <c>revoked</c> when it was not sent (the person opted out or the episode closed),
    /// <c>completed</c> once the outbox has finished with it (what came of it is the Communication).
    /// The body, the address and the calendar are left out: the reader needs to know that a message
    /// went, when and how, not its words or where it went; the record holds those.
    /// </summary>
    public static CommunicationRequest ToCommunicationRequest(OutboxMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var request = new CommunicationRequest
        {
            Id = message.Id.ToString(),
            // Sent when sent; a message still waiting is as it was scheduled (its id's time).
            Meta = new Meta { VersionId = "1", LastUpdated = message.SentAt ?? (message.Status == MessageStatus.Pending ? FhirIds.CreatedAt(message.Id) : null) },
            Status = message.Status switch
            {
                MessageStatus.Pending => RequestStatus.Active,
                MessageStatus.Cancelled => RequestStatus.Revoked,
                _ => RequestStatus.Completed,
            },
            Subject = new ResourceReference($"Patient/{message.PersonId}"),
            Occurrence = new FhirDateTime(message.DueAt),
        };
        request.Category.Add(KindOf(message));
        request.Medium.Add(Medium(message));
        request.Recipient.Add(new ResourceReference($"Patient/{message.PersonId}"));
        if (message.EpisodeId is { } episode)
        {
            request.About.Add(new ResourceReference($"EpisodeOfCare/{episode}"));
        }

        return request;
    }
    /// <summary>
    /// A message the outbox finished with: <c>completed</c> when the mail or SMS server took it,
    /// <c>not-done</c> when it gave up after the configured tries. Same id as its CommunicationRequest;
    /// no body or address, for the reason given there.
    /// </summary>
    public static Communication ToCommunication(OutboxMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var communication = new Communication
        {
            Id = message.Id.ToString(),
            Meta = new Meta { VersionId = "1", LastUpdated = message.SentAt },
            Status = message.Status == MessageStatus.Sent ? EventStatus.Completed : EventStatus.NotDone,
            StatusReason = message.Status == MessageStatus.Failed ? new CodeableConcept { Text = $"Could not be delivered after {message.Attempts} tries." } : null,
            Subject = new ResourceReference($"Patient/{message.PersonId}"),
            SentElement = message.SentAt is { } sent ? new FhirDateTime(sent) : null,
        };
        communication.BasedOn.Add(new ResourceReference($"CommunicationRequest/{message.Id}"));
        communication.Category.Add(KindOf(message));
        communication.Medium.Add(Medium(message));
        communication.Recipient.Add(new ResourceReference($"Patient/{message.PersonId}"));
        return communication;
    }
    /// <summary>
    /// A message between the person and their care team (issue 14.5): from the person (sender their
    /// Patient) or to them, with <c>inResponseTo</c> the message it answers. Unlike the outbox's caring
    /// messages, the words are part of the record here: the thread is the person's own voice in their care.
    /// </summary>
    public static Communication ToCommunication(PersonMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var patient = new ResourceReference($"Patient/{message.PersonId}");
        var fromThePerson = message.Author == ThreadAuthor.ThePerson;
        var kind = fromThePerson ? "FromThePerson" : nameof(MessageKind.AnswerToThePerson);
        var communication = new Communication
        {
            Id = message.Id.ToString(),
            Meta = new Meta { VersionId = "1", LastUpdated = message.AnsweredAt ?? message.At },
            Status = EventStatus.Completed,
            Subject = patient,
            SentElement = new FhirDateTime(message.At),
            Sender = fromThePerson ? patient : null,
        };
        if (fromThePerson)
        {
            communication.ReceivedElement = new FhirDateTime(message.At);
        }
        else
        {
            communication.Recipient.Add(patient);
        }

        if (message.InResponseTo is { } answers)
        {
            communication.InResponseTo.Add(new ResourceReference($"Communication/{answers}"));
        }

        communication.Category.Add(new CodeableConcept(MessageKindSystem, kind, DefinitionsFhir.Find<CodeSystem>(MessageKindSystem)?.Concept.FirstOrDefault(c => c.Code == kind)?.Display));
        communication.Medium.Add(message.Channel switch
        {
            ThreadChannel.Email => new CodeableConcept(ParticipationModeSystem, "EMAILWRIT", "email"),
            ThreadChannel.Text => new CodeableConcept(ParticipationModeSystem, "SMSWRIT", "SMS written"),
            _ => new CodeableConcept(ParticipationModeSystem, "ONLINEWRIT", "online written"),
        });
        communication.Payload.Add(new Communication.PayloadComponent { Content = new FhirString(message.Text) });
        return communication;
    }

    /// <summary>The message's kind, with the display its CodeSystem (CodeSystem/message-kind) gives it.</summary>
    private static CodeableConcept KindOf(OutboxMessage message) =>
        new(MessageKindSystem, message.Kind.ToString(), DefinitionsFhir.Find<CodeSystem>(MessageKindSystem)?.Concept.FirstOrDefault(c => c.Code == message.Kind.ToString())?.Display);
    private static CodeableConcept Medium(OutboxMessage message) => message.Channel == MessageChannel.Email
        ? new CodeableConcept(ParticipationModeSystem, "EMAILWRIT", "email")
        : new CodeableConcept(ParticipationModeSystem, "SMSWRIT", "SMS written");
}
