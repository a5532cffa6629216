using Aftercare.App;
using Aftercare.App.Access;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Aftercare.Domain.People;
using Aftercare.Hosting;
using Aftercare.Smart;

namespace Aftercare.Fhir;

/// <summary>
/// Need-to-know and the audit at the FHIR edge, as two steps: <see cref="CheckAsync"/> says whether
/// the caller may see these people (an expected refusal is a value, not an exception), and
/// <see cref="RecordAsync"/> writes the audit (IHE BALP style) for an access that passed. Handlers
/// answer through <see cref="AnswerAsync"/>, which does both, so that no answer about a person
/// leaves without its check and its audit.
/// </summary>
public static class FhirAccess
{
    /// <summary>What the check decided: who was opened by breaking the glass, or the person the caller may not see and why.</summary>
    public sealed record Decision(IReadOnlyList<Guid> BrokeGlass, Guid? Outside = null, string? Reason = null)
    {
        public bool Refused => Outside is not null;
    }

    /// <summary>
    /// Need-to-know for an answer or a write about these people: the care team passes, someone who
    /// broke the glass passes (and is named, to be audited as such); anyone else is refused.
    /// </summary>
    /// <remarks>
    /// <paramref name="known"/> is how the caller stands to the people asked about, when the handler
    /// read it with their records in one round trip (<see cref="RecordAccess.WithStanding"/>); it
    /// stands in for the look-up only, never for the rules around it.
    /// </remarks>
    public static async Task<Decision> CheckAsync(
        AftercareDbContext db, TimeProvider clock, HttpContext context, IReadOnlyCollection<Guid> people, string purpose, CancellationToken ct, IReadOnlyDictionary<Guid, Relationship>? known = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(people);

        // Every answer about people passes here, so this is where need-to-know and a patient-level
        // token's limit hold, for every resource, read or search.
        if (context.User.PatientContext() is { } only && people.FirstOrDefault(p => p != only) is var outside && outside != Guid.Empty)
        {
            return new Decision([], outside, "This app was allowed one person's record only (patient/* scopes), and this request reaches beyond it.");
        }

        // Backend services act for the organisation (registered by an administrator with a role);
        // the audit trail is read by administrators as ids, not as records.
        var breakGlass = new List<Guid>();
        if (!SmartSetup.IsBackendService(context.User) && purpose != AuditPurpose.Administration && context.User.Identity?.IsAuthenticated == true)
        {
            var userId = context.User.ToActor().UserId;
            foreach (var person in people.Distinct())
            {
                switch (known is not null && known.TryGetValue(person, out var relationship) ? relationship : await RecordAccess.CheckAsync(db, userId, person, clock.GetUtcNow(), ct))
                {
                    case Relationship.None:
                        return new Decision([], person, "This record is held by another care team. Records are shared on a need-to-know basis; in an emergency, break the glass from the record's page.");
                    case Relationship.BreakGlass:
                        breakGlass.Add(person);
                        break;
                }
            }
        }

        return new Decision(breakGlass);
    }

    /// <summary>
    /// These people as far as this caller may see them (only the person of a patient-level token),
    /// each with their standing, to filter a search by before it counts; null for a backend service,
    /// which acts for the organisation.
    /// </summary>
    public static IQueryable<PersonStanding>? OpenAmong(HttpContext context, AftercareDbContext db, TimeProvider clock, IQueryable<Person> people)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(clock);
        if (context.User.PatientContext() is { } only)
        {
            return RecordAccess.WithStanding(db, context.User.ToActor().UserId, clock.GetUtcNow(), people.Where(p => p.Id == only));
        }

        return SmartSetup.IsBackendService(context.User) ? null : RecordAccess.OpenAmong(db, context.User.ToActor().UserId, clock.GetUtcNow(), people);
    }

    /// <summary>
    /// A refusal, audited with the person it would have shown, and answered exactly as if the record
    /// did not exist (a 404 for a read or update, an empty page for a search, the subject not found
    /// for a create), so that no status, count or version reveals that a record exists (issue 17).
    /// </summary>
    public static async Task<IResult> RefuseAsync(HttpContext context, AftercareDbContext db, TimeProvider clock, Decision refused, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(refused);
        db.ChangeTracker.Clear();
        db.Audit(clock, context.User.ToActor(), AuditAction.FhirRefused, AuditPurpose.Security, refused.Outside, "outside the caller's access");
        await db.SaveChangesAsync(ct);

        var segments = (context.Request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        var type = segments.Length > 1 ? segments[1] : "";
        if (context.GetRouteValue(FhirRoutes.Id)?.ToString() is { } id)
        {
            return Outcomes.NotFound(type, context.GetRouteValue(FhirRoutes.Version)?.ToString() is { } version ? $"{id}/{FhirRoutes.History}/{version}" : id);
        }

        return HttpMethods.IsGet(context.Request.Method) || FhirSearch.IsSearch(context)
            ? FhirJson.Ok(FhirSearch.Empty(context))
            : Outcomes.From([Aftercare.Domain.Error.NotFound($"{type}.subject", $"Patient/{refused.Outside} was not found.")]);
    }

    /// <summary>IHE BALP style: one audit event per person whose data was returned, or one for the request when none was; and one per glass broken.</summary>
    public static async Task RecordAsync(
        AftercareDbContext db, TimeProvider clock, HttpContext context, Decision granted, AuditAction action, IReadOnlyCollection<Guid> people, string what, CancellationToken ct,
        string purpose = AuditPurpose.DirectCare)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(granted);
        ArgumentNullException.ThrowIfNull(people);
        if (granted.Refused)
        {
            throw new InvalidOperationException("A refused access is answered with RefuseAsync, not audited as an answer.");
        }

        var actor = context.User.Identity?.IsAuthenticated == true ? context.User.ToActor() : new Actor("", "(anonymous FHIR client)", []);
        var events = new List<AuditEvent>();
        if (people.Count == 0)
        {
            events.Add(AuditLog.Event(clock, actor, action, purpose, null, what));
        }

        foreach (var person in people.Distinct())
        {
            events.Add(AuditLog.Event(clock, actor, action, purpose, person, what));
        }

        foreach (var person in granted.BrokeGlass)
        {
            events.Add(AuditLog.Event(clock, actor, AuditAction.BreakGlassAccess, AuditPurpose.EmergencyAccess, person, what));
        }

        if (!db.ChangeTracker.HasChanges() && db.Database.CurrentTransaction is null && context.RequestServices.GetService<AuditBatcher>() is { } batcher)
        {
            // A read: its audit shares a commit with the reads of other requests at the same moment, and is durable before the answer.
            await batcher.WriteAsync(events, ct);
            return;
        }

        // A write: its audit commits with it, in one transaction.
        db.AuditEvents.AddRange(events);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>An answer about these people: checked, then audited, then given; or refused as if there were nothing.</summary>
    public static async Task<IResult> AnswerAsync(
        HttpContext context, AftercareDbContext db, TimeProvider clock, AuditAction action, IReadOnlyCollection<Guid> people, string what, Func<IResult> answer, CancellationToken ct,
        string purpose = AuditPurpose.DirectCare, IReadOnlyDictionary<Guid, Relationship>? known = null)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var decision = await CheckAsync(db, clock, context, people, purpose, ct, known);
        if (decision.Refused)
        {
            return await RefuseAsync(context, db, clock, decision, ct);
        }

        await RecordAsync(db, clock, context, decision, action, people, what, ct, purpose);
        return answer();
    }
}
