using Aftercare.App.Access;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Access;
using Aftercare.Domain.Audit;
using Aftercare.Domain.People;
using Aftercare.Domain.Presentations;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Presentations;

/// <summary>
/// Registers a presentation after self-harm, for a person already known or for a new person.
/// A new person whose identifier already belongs to someone is never made into a silent twin:
/// the clinician is shown who holds it and confirms before anything is saved.
/// Staff register only at their own sites. Registering for someone whose record another care team
/// holds makes the registering team part of that person's care, so it is treated as breaking the
/// glass is: a coded reason and the clinician's own words, audited as emergency access and put on
/// the privacy lead's review queue (issue 17: registration had opened records with no trace).
/// Backend services act for the organisation and may register at any site.
/// </summary>
public static class RegisterPresentation
{
    public sealed record NewPerson(PersonDetails Details, string? Mrn, string? NhsNumber);

    /// <summary>Why a clinician outside the person's care team registers a presentation for them (as for breaking the glass).</summary>
    public sealed record JoinCare(BreakGlassReason? Reason, string? Justification);

    /// <summary>Either <see cref="ExistingPersonId"/> or <see cref="NewPerson"/>; <see cref="Join"/> when the person's record is held by another team.</summary>
    /// <param name="Sent">The identifiers the sending system gave its Encounter and Condition (FHIR intake), kept so that a resend finds this presentation.</param>
    public sealed record Command(Guid? ExistingPersonId, NewPerson? NewPerson, PresentationDetails Presentation, JoinCare? Join = null, SentIdentifiers? Sent = null);

    public sealed record SentIdentifiers(SentIdentifier? Encounter, SentIdentifier? Condition);

    public abstract record Outcome;

    public sealed record Registered(Guid PersonId, Guid PresentationId) : Outcome;

    public sealed record Invalid(IReadOnlyList<Error> Errors) : Outcome;

    /// <summary>A presentation with this Encounter's (or Condition's) identifier was received already; nothing was saved.</summary>
    public sealed record AlreadyReceived(Guid PersonId, Guid PresentationId, string Identifier) : Outcome
    {
        public string Message => $"A presentation with the identifier {Identifier} was received already (Encounter/{PresentationId}); nothing was saved. "
            + "Send it with ifNoneExist (or If-None-Exist) to be given that one, or correct it there.";
    }

    /// <summary>The identifier given for a new person belongs to this person already; nothing was saved.</summary>
    /// <summary>The identifier is held already. Outside the care team the holder is not named (need-to-know).</summary>
    public sealed record IdentifierBelongsToSomeone(Guid PersonId, string DisplayName, DateOnly DateOfBirth, string Identifier, bool Restricted = false) : Outcome
    {
        public string Message => Restricted
            ? $"{Identifier} already belongs to someone whose record is held by another care team. "
              + "If this is the same person, register the presentation for them (your team then joins their care); otherwise check the identifier."
            : $"{Identifier} already belongs to {DisplayName}, born {DateOfBirth:d MMMM yyyy}. "
              + "If this is the same person, register the presentation for them; otherwise check the identifier.";
    }

    public static async Task<Outcome> Handle(AftercareDbContext db, TimeProvider clock, Actor actor, Command command, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(command);
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var siteIds = await SitesOf(db, actor, ct);
        var errors = new List<Error>();
        if (command.Presentation.SiteId is { } chosenSite && !siteIds.Contains(chosenSite) && await db.Sites.AnyAsync(s => s.Id == chosenSite, ct))
        {
            errors.Add(new Error("siteId", "You can register presentations only at your own sites. Choose one of yours, or ask an administrator to add you to this site."));
        }

        Person? person = null;
        BreakGlassGrant? joined = null;
        DateOnly dateOfBirth;
        if (command.ExistingPersonId is { } existingId)
        {
            var existing = await db.People.AsNoTracking().Where(p => p.Id == existingId)
                .Select(p => new { p.DateOfBirth }).FirstOrDefaultAsync(ct);
            if (existing is null)
            {
                return new Invalid([Error.NotFound("personId", "That person was not found. Search for them again.")]);
            }

            dateOfBirth = existing.DateOfBirth;
            if (!actor.IsBackendService && await RecordAccess.CheckAsync(db, actor.UserId, existingId, now, ct) == Relationship.None)
            {
                var grant = BreakGlassGrant.Open(actor.UserId, actor.Email, existingId, command.Join?.Reason, command.Join?.Justification, now, BreakGlass.Duration);
                if (!grant.IsSuccess)
                {
                    // Nothing about the person is said here: not their name, age or anything from their record.
                    return new Invalid([.. grant.Errors.Select(JoinError), .. errors]);
                }

                joined = grant.Value;
            }
        }
        else if (command.NewPerson is { } newPerson)
        {
            var identifiers = new List<PersonIdentifier>();
            AddIdentifier(IdentifierKind.Mrn, newPerson.Mrn, "mrn", identifiers, errors);
            AddIdentifier(IdentifierKind.NhsNumber, newPerson.NhsNumber, "nhsNumber", identifiers, errors);
            var registered = Person.Register(newPerson.Details, identifiers, now, today);
            errors.AddRange(registered.Errors);
            person = registered.IsSuccess ? registered.Value : null;
            dateOfBirth = newPerson.Details.DateOfBirth ?? DateOnly.MinValue;

            if (person is not null && await FindHolder(db, clock, actor, identifiers, ct) is { } holder)
            {
                return holder;
            }
        }
        else
        {
            return new Invalid([new Error("personId", "Choose a person, or enter the details of a new person.")]);
        }

        var presentation = Presentation.Register(
            command.ExistingPersonId ?? person?.Id ?? Guid.Empty, dateOfBirth, command.Presentation, siteIds, actor.UserId, now);
        errors.AddRange(presentation.Errors);
        if (presentation.IsSuccess && command.Sent is { } sent)
        {
            errors.AddRange(presentation.Value.IdentifyAsSent(sent.Encounter, sent.Condition).Errors);
        }

        if (errors.Count > 0)
        {
            return new Invalid(errors);
        }

        if (await ReceivedAlready(db, command.Sent, ct) is { } received)
        {
            return received;
        }

        if (person is not null)
        {
            db.People.Add(person);
            db.Audit(clock, actor, AuditAction.PersonRegistered, AuditPurpose.DirectCare, person.Id);
        }

        var saved = presentation.Value;
        db.Presentations.Add(saved);
        if (joined is not null)
        {
            db.BreakGlassGrants.Add(joined);
            db.Audit(clock, actor, AuditAction.BreakGlassOpened, AuditPurpose.EmergencyAccess, saved.PersonId, $"{joined.Reason} by registering a presentation");
        }

        db.Audit(clock, actor, AuditAction.PresentationRegistered, AuditPurpose.DirectCare, saved.PersonId, saved.Id.ToString());
        try
        {
            // One SaveChanges is one transaction: the person, the presentation and their audit events commit together.
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (person is not null || command.Sent is not null)
        {
            // Someone registered the same identifier a moment ago (a person's, or the sender's for
            // this encounter, as a retry racing its first try): say which, as above.
            db.ChangeTracker.Clear();
            if (person is not null && await FindHolder(db, clock, actor, person.Identifiers, ct) is { } holder)
            {
                return holder;
            }

            if (await ReceivedAlready(db, command.Sent, ct) is { } first)
            {
                return first;
            }

            throw;
        }

        return new Registered(saved.PersonId, saved.Id);
    }

    /// <summary>The presentation that already holds the sender's Encounter or Condition identifier, if any (the Encounter's first).</summary>
    public static async Task<AlreadyReceived?> ReceivedAlready(AftercareDbContext db, SentIdentifiers? sent, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var (encounterSystem, encounterValue) = (sent?.Encounter?.System.Trim(), sent?.Encounter?.Value.Trim());
        var (conditionSystem, conditionValue) = (sent?.Condition?.System.Trim(), sent?.Condition?.Value.Trim());
        if (encounterSystem is null && conditionSystem is null)
        {
            return null;
        }

        // Both identifiers in one round trip (issue 16), each by its unique index.
        var found = await db.Presentations.AsNoTracking()
            .Where(p => (encounterSystem != null && p.EncounterIdentifierSystem == encounterSystem && p.EncounterIdentifierValue == encounterValue)
                || (conditionSystem != null && p.ConditionIdentifierSystem == conditionSystem && p.ConditionIdentifierValue == conditionValue))
            .Select(p => new { p.Id, p.PersonId, ByEncounter = encounterSystem != null && p.EncounterIdentifierSystem == encounterSystem && p.EncounterIdentifierValue == encounterValue })
            .Take(2).ToListAsync(ct);
        return found.OrderByDescending(f => f.ByEncounter).FirstOrDefault() is { } first
            ? new AlreadyReceived(first.PersonId, first.Id, first.ByEncounter ? $"Encounter {encounterSystem}|{encounterValue}" : $"Condition {conditionSystem}|{conditionValue}")
            : null;
    }

    private static Error JoinError(Error error) => error.Field switch
    {
        "reason" => new Error("joinReason", "This person's record is held by another care team. Choose why you are registering a presentation for them."),
        "justification" => new Error("joinJustification", error.Message),
        _ => error,
    };

    /// <summary>The sites this actor registers at: their own, or every site for a backend service acting for the organisation.</summary>
    public static async Task<List<Guid>> SitesOf(AftercareDbContext db, Actor actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        return actor.IsBackendService
            ? await db.Sites.Select(s => s.Id).ToListAsync(ct)
            : await db.StaffSites.Where(s => s.UserId == actor.UserId).Select(s => s.SiteId).ToListAsync(ct);
    }

    private static void AddIdentifier(IdentifierKind kind, string? raw, string field, List<PersonIdentifier> into, List<Error> errors)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return;
        }

        var identifier = PersonIdentifier.Create(kind, raw, field);
        if (identifier.IsSuccess)
        {
            into.Add(identifier.Value);
        }
        else
        {
            errors.AddRange(identifier.Errors);
        }
    }

    /// <summary>Whoever holds one of these identifiers already (the first identifier's holder first), said as far as this actor may know them.</summary>
    private static async Task<IdentifierBelongsToSomeone?> FindHolder(AftercareDbContext db, TimeProvider clock, Actor actor, IEnumerable<PersonIdentifier> identifiers, CancellationToken ct)
    {
        var asked = identifiers.ToList();
        if (asked.Count == 0)
        {
            return null;
        }

        // Every identifier and the actor's standing to whoever holds one, in one round trip (issue 16);
        // kind and value together are the identifiers' key, so each is a look-up in its index.
        var (kinds, values) = (asked.Select(i => i.Kind).Distinct().ToList(), asked.Select(i => i.Value).Distinct().ToList());
        var holders = await RecordAccess.WithStanding(db, actor.UserId, clock.GetUtcNow(),
                db.People.Where(p => p.Identifiers.Any(i => kinds.Contains(i.Kind) && values.Contains(i.Value))))
            .AsNoTracking().ToListAsync(ct);
        foreach (var (kind, value) in asked.Select(i => (i.Kind, i.Value)))
        {
            if (holders.FirstOrDefault(h => h.Person.Identifiers.Any(i => i.Kind == kind && i.Value == value)) is { } holder)
            {
                var person = holder.Person;
                return holder.Relationship == Relationship.None
                    ? new IdentifierBelongsToSomeone(person.Id, "the person", default, $"{kind.Describe()} {value}", Restricted: true)
                    : new IdentifierBelongsToSomeone(person.Id, $"{person.GivenName} {person.FamilyName}", person.DateOfBirth, $"{kind.Describe()} {value}");
            }
        }

        return null;
    }
}
