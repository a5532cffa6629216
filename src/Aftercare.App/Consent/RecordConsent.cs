using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Consent;
using Aftercare.Domain.Sharing;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Consent;

/// <summary>Records a decision the person made about consent (docs/domain.md rule 8); a decision about messages takes effect at once.</summary>
public static class RecordConsent
{
    public sealed record Command(Guid PersonId, ConsentTopic? Topic, bool? Agreed, string? Whom, string? WhatTheyMayKnow);

    public static async Task<Result<ConsentDecision>> Handle(AftercareDbContext db, TimeProvider clock, Actor actor, Command command, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(command);
        if (!await db.People.AnyAsync(p => p.Id == command.PersonId, ct))
        {
            return Result<ConsentDecision>.Failure(Error.NotFound("person", "That person was not found."));
        }

        var now = clock.GetUtcNow();
        var decision = ConsentDecision.Record(command.PersonId, command.Topic, command.Agreed, command.Whom, command.WhatTheyMayKnow, actor.Email, now);
        if (!decision.IsSuccess)
        {
            return decision;
        }

        db.ConsentDecisions.Add(decision.Value);
        db.Audit(clock, actor, AuditAction.ConsentRecorded, AuditPurpose.DirectCare, command.PersonId, $"{decision.Value.Topic} {(decision.Value.Agreed ? "agreed" : "declined")}");
        await ConsentMessages.SaveAsync(db, command.PersonId, decision.Value.Topic, decision.Value.Agreed, now, ct);
        return decision;
    }
}
