using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Presentations;
using Aftercare.Domain.Programme;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Presentations;

/// <summary>
/// Withdraws a presentation entered in error, from the record's page or from the sending system
/// (FHIR status entered-in-error): never deleted, marked with who, when and why (the reason is
/// encrypted at rest and never audited or logged), and audited. Need-to-know is the caller's
/// check, before this. A presentation that started an active aftercare episode is not withdrawn
/// until someone has reviewed that episode: the person may be getting calls because of it, and
/// nobody should be dropped from aftercare, or left in it, by a correction they did not see.
/// </summary>
public static class WithdrawPresentation
{
    public static async Task<Result<Presentation>> Handle(AftercareDbContext db, TimeProvider clock, Actor actor, Guid presentationId, string? reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(actor);
        var presentation = await db.Presentations.FirstOrDefaultAsync(p => p.Id == presentationId, ct);
        if (presentation is null)
        {
            return Result<Presentation>.Failure(Error.NotFound("presentationId", "That presentation was not found."));
        }

        if (!presentation.IsEnteredInError && await db.Episodes.AnyAsync(e => e.PresentationId == presentationId && e.Status == EpisodeStatus.Active, ct))
        {
            return Result<Presentation>.Failure(Error.Refused(
                "An aftercare episode started from this presentation is still active. Its care team reviews it first: close the episode "
                + "(or, if the person still needs aftercare, restart it from another presentation), then withdraw this one.", "status"));
        }

        var withdrawn = presentation.WithdrawAsEnteredInError(actor.UserId.Length > 0 ? actor.UserId : actor.Email, reason, clock.GetUtcNow());
        if (!withdrawn.IsSuccess)
        {
            return withdrawn;
        }

        // Who and when; the reason stays on the presentation, encrypted, and out of the audit trail.
        db.Audit(clock, actor, AuditAction.PresentationEnteredInError, AuditPurpose.DirectCare, presentation.PersonId, presentation.Id.ToString());
        await db.SaveChangesAsync(ct);
        return withdrawn;
    }
}
