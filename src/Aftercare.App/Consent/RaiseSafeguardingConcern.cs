using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Consent;
using Aftercare.Domain.Sharing;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Consent;

/// <summary>Raises a safeguarding concern under the configured policy; a report made is logged as a share on a safeguarding basis.</summary>
public static class RaiseSafeguardingConcern
{
    public sealed record Command(Guid PersonId, SafeguardingKind? Kind, string? Concern, string? ReportedTo, string? Reference, string? NoReportReason);

    /// <summary>Raises a concern under the configured policy; a report made is logged as a share on a safeguarding basis.</summary>
    public static async Task<Result<SafeguardingConcern>> Handle(
        AftercareDbContext db, TimeProvider clock, Actor actor, SafeguardingPolicy policy, Command command, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(command);
        if (!await db.People.AnyAsync(p => p.Id == command.PersonId, ct))
        {
            return Result<SafeguardingConcern>.Failure(Error.NotFound("person", "That person was not found."));
        }

        var now = clock.GetUtcNow();
        var mandatory = command.Kind is { } kind && policy.ReportMandatory(kind);
        var concern = SafeguardingConcern.Raise(command.PersonId, command.Kind, command.Concern, mandatory, command.ReportedTo, command.Reference, command.NoReportReason, actor.Email, now);
        if (!concern.IsSuccess)
        {
            return concern;
        }

        db.SafeguardingConcerns.Add(concern.Value);
        db.Audit(clock, actor, AuditAction.SafeguardingConcernRaised, AuditPurpose.Safeguarding, command.PersonId, concern.Value.Kind.ToString());
        if (concern.Value.Reported)
        {
            var share = Share.ForSafeguarding(concern.Value, now);
            db.Shares.Add(share);
            db.Audit(clock, actor, AuditAction.SharedForSafeguarding, AuditPurpose.Safeguarding, command.PersonId, share.Id.ToString());
        }

        await db.SaveChangesAsync(ct);
        return concern;
    }
}
