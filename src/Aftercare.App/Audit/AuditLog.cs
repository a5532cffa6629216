using Aftercare.App.Data;
using Aftercare.Domain.Audit;

namespace Aftercare.App.Audit;

/// <summary>
/// Adds an audit event to the unit of work in hand, so it commits (or not) with the change it
/// records: every write is one transaction together with its audit event (docs/architecture.md).
/// </summary>
public static class AuditLog
{
    public static void Audit(
        this AftercareDbContext db, TimeProvider clock, Actor actor, AuditAction action, string purpose,
        Guid? personId = null, string? entityId = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        db.AuditEvents.Add(Event(clock, actor, action, purpose, personId, entityId));
    }

    /// <summary>An event not yet in any unit of work: for <see cref="AuditBatcher"/>, which commits the audit of reads in groups.</summary>
    public static AuditEvent Event(TimeProvider clock, Actor actor, AuditAction action, string purpose, Guid? personId = null, string? entityId = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(actor);
        if (action is AuditAction.SignInFailed or AuditAction.PersonSignInCodeFailed)
        {
            Telemetry.AftercareMetrics.SignInFailed(action == AuditAction.PersonSignInCodeFailed ? "person" : "staff");
        }

        return AuditEvent.Record(clock.GetUtcNow(), actor.UserId, actor.Email, action, purpose, personId, entityId);
    }
}
