using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Consent;
using Aftercare.Domain.Sharing;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Consent;

/// <summary>The person takes an agreement back, at once: from then on nothing is shared on it, and waiting messages are cancelled.</summary>
public static class WithdrawConsent
{
    public static async Task<Result<ConsentDecision>> Handle(AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, Guid decisionId, string? note, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        var decision = await db.ConsentDecisions.FirstOrDefaultAsync(d => d.Id == decisionId && d.PersonId == personId, ct);
        if (decision is null)
        {
            return Result<ConsentDecision>.Failure(Error.NotFound("decision", "That decision was not found."));
        }

        var now = clock.GetUtcNow();
        var errors = decision.Withdraw(actor.Email, note, now);
        if (errors.Count > 0)
        {
            return Result<ConsentDecision>.Failure(errors);
        }

        db.Audit(clock, actor, AuditAction.ConsentWithdrawn, AuditPurpose.DirectCare, personId, decision.Topic.ToString());
        await ConsentMessages.SaveAsync(db, personId, decision.Topic, agreed: false, now, ct);
        return decision;
    }
}
