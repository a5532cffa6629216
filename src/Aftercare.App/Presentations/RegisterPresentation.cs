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
    /// <param name="LinkIfHeld">
    /// An identifier whose holder, if anyone holds it, this presentation is for instead of a new
    /// person (FHIR's conditional create, ifNoneExist=identifier=system|value). Asked in the same round
    /// trip as the new person's own identifiers (issue 16: the intake looked the identifier up twice).
    /// </param>
    public sealed record NewPerson(PersonDetails Details, string? Mrn, string? NhsNumber, HeldIdentifier? LinkIfHeld = null);

    /// <summary>An identifier as stored (normalised), to find its holder by.</summary>
    public sealed record HeldIdentifier(IdentifierKind Kind, string Value);

    /// <summary>Why a clinician outside the person's care team registers a presentation for them (as for breaking the glass).</summary>
    public sealed record JoinCare(BreakGlassReason? Reason, string? Justification);

    /// <summary>Either <see cref="ExistingPersonId"/> or <see cref="NewPerson"/>; <see cref="Join"/> when the person's record is held by another team.</summary>
    /// <param name="Sent">The identifiers the sending system gave its Encounter and Condition (FHIR intake), kept so that a resend finds this presentation.</param>
    public sealed record Command(Guid? ExistingPersonId, NewPerson? NewPerson, PresentationDetails Presentation, JoinCare? Join = null, SentIdentifiers? Sent = null);

    public sealed record SentIdentifiers(SentIdentifier? Encounter, SentIdentifier? Condition);

    public abstract record Outcome;

    /// <param name="NewPerson">True when the person was registered with this presentation; false when they were known already.</param>
    public sealed record Registered(Guid PersonId, Guid PresentationId, bool NewPerson = false) : Outcome;

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
        var errors = new List<Error>();
        // The chosen site, and whether it is one of the actor's, in one look-up (issue 16: every
        // site of the actor was read for this, for a backend service every site there is).
        var site = command.Presentation.SiteId is { } chosenSite ? await SiteStanding(db, actor, chosenSite, ct) : null;
        if (site is { Mine: false })
        {
            errors.Add(new Error("siteId", "You can register presentations only at your own sites. Choose one of yours, or ask an administrator to add you to this site."));
        }

        IReadOnlyCollection<Guid> siteIds = site is { Mine: true } ? [site.Id] : [];
        Person? person = null;
        BreakGlassGrant? joined = null;
        DateOnly dateOfBirth;
        var existingId = command.ExistingPersonId;
        Relationship? standing = null;
        if (existingId is null && command.NewPerson is { } newPerson)
        {
            var identifiers = new List<PersonIdentifier>();
            var personErrors = new List<Error>();
            AddIdentifier(IdentifierKind.Mrn, newPerson.Mrn, "mrn", identifiers, personErrors);
            AddIdentifier(IdentifierKind.NhsNumber, newPerson.NhsNumber, "nhsNumber", identifiers, personErrors);
            var registered = Person.Register(newPerson.Details, identifiers, now, today);
            personErrors.AddRange(registered.Errors);
            var holders = registered.IsSuccess || newPerson.LinkIfHeld is not null
                ? await Holders(db, clock, actor, [.. identifiers.Select(i => new HeldIdentifier(i.Kind, i.Value)), .. newPerson.LinkIfHeld is { } link ? [link] : Array.Empty<HeldIdentifier>()], ct)
                : [];
            if (newPerson.LinkIfHeld is { } wanted && HolderOf(holders, wanted) is { } linked)
            {
                // Held already: the presentation is theirs, as if they had been chosen (the new details are not used).
                existingId = linked.Person.Id;
                standing = linked.Relationship;
                dateOfBirth = linked.Person.DateOfBirth;
            }
            else
            {
                errors.AddRange(personErrors);
                person = registered.IsSuccess ? registered.Value : null;
                dateOfBirth = newPerson.Details.DateOfBirth ?? DateOnly.MinValue;
                if (person is not null && Held(holders, identifiers) is { } holder)
                {
                    return holder;
                }
            }
        }
        else if (existingId is not null)
        {
            var existing = await db.People.AsNoTracking().Where(p => p.Id == existingId)
                .Select(p => new { p.DateOfBirth }).FirstOrDefaultAsync(ct);
            if (existing is null)
            {
                return new Invalid([Error.NotFound("personId", "That person was not found. Search for them again.")]);
            }

            dateOfBirth = existing.DateOfBirth;
        }
        else
        {
            return new Invalid([new Error("personId", "Choose a person, or enter the details of a new person.")]);
        }

        if (existingId is { } forId && !actor.IsBackendService
            && (standing ?? await RecordAccess.CheckAsync(db, actor.UserId, forId, now, ct)) == Relationship.None)
        {
            var grant = BreakGlassGrant.Open(actor.UserId, actor.Email, forId, command.Join?.Reason, command.Join?.Justification, now, BreakGlass.Duration);
            if (!grant.IsSuccess)
            {
                // Nothing about the person is said here: not their name, age or anything from their record.
                return new Invalid([.. grant.Errors.Select(JoinError), .. errors]);
            }

            joined = grant.Value;
        }

        var presentation = Presentation.Register(
            existingId ?? person?.Id ?? Guid.Empty, dateOfBirth, command.Presentation, siteIds, actor.UserId, now);
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
            if (person is not null && Held(await Holders(db, clock, actor, [.. person.Identifiers.Select(i => new HeldIdentifier(i.Kind, i.Value))], ct), person.Identifiers) is { } holder)
            {
                return holder;
            }

            if (await ReceivedAlready(db, command.Sent, ct) is { } first)
            {
                return first;
            }

            throw;
        }

        return new Registered(saved.PersonId, saved.Id, NewPerson: person is not null);
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

    /// <summary>The chosen site if there is one, and whether the actor registers there (their own site, or any for a backend service).</summary>
    private sealed record ChosenSite(Guid Id, bool Mine);

    private static Task<ChosenSite?> SiteStanding(AftercareDbContext db, Actor actor, Guid siteId, CancellationToken ct)
    {
        var (backend, userId) = (actor.IsBackendService, actor.UserId);
        return db.Sites.AsNoTracking().Where(s => s.Id == siteId)
            .Select(s => new ChosenSite(s.Id, backend || db.StaffSites.Any(x => x.UserId == userId && x.SiteId == s.Id)))
            .FirstOrDefaultAsync(ct);
    }

    /// <summary>
    /// Whoever holds any of these identifiers, each with the actor's standing to them, in one round
    /// trip (issue 16); kind and value together are the identifiers' key, so each is a look-up in its index.
    /// </summary>
    private static async Task<List<PersonStanding>> Holders(AftercareDbContext db, TimeProvider clock, Actor actor, IReadOnlyCollection<HeldIdentifier> identifiers, CancellationToken ct)
    {
        if (identifiers.Count == 0)
        {
            return [];
        }

        var (kinds, values) = (identifiers.Select(i => i.Kind).Distinct().ToList(), identifiers.Select(i => i.Value).Distinct().ToList());
        return await RecordAccess.WithStanding(db, actor.UserId, clock.GetUtcNow(),
                db.People.Where(p => p.Identifiers.Any(i => kinds.Contains(i.Kind) && values.Contains(i.Value))))
            .AsNoTracking().ToListAsync(ct);
    }

    private static PersonStanding? HolderOf(IEnumerable<PersonStanding> holders, HeldIdentifier identifier) =>
        holders.FirstOrDefault(h => h.Person.Identifiers.Any(i => i.Kind == identifier.Kind && i.Value == identifier.Value));

    /// <summary>Whoever holds one of these identifiers already (the first identifier's holder first), said as far as this actor may know them.</summary>
    private static IdentifierBelongsToSomeone? Held(IReadOnlyCollection<PersonStanding> holders, IEnumerable<PersonIdentifier> identifiers)
    {
        foreach (var (kind, value) in identifiers.Select(i => (i.Kind, i.Value)))
        {
            if (HolderOf(holders, new HeldIdentifier(kind, value)) is { } holder)
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
