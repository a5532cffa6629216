using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Assessments;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Consent;
using Aftercare.Domain.Documents;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.Presentations;
using Aftercare.Domain.Sharing;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Consent;

/// <summary>The organisation's safeguarding policy (configuration): whether a report is mandatory for each kind of concern.</summary>
public sealed record SafeguardingPolicy(bool ChildProtectionReportMandatory = true, bool AdultReportMandatory = false)
{
    public bool ReportMandatory(SafeguardingKind kind) =>
        kind == SafeguardingKind.ChildProtection ? ChildProtectionReportMandatory : AdultReportMandatory;
}

/// <summary>
/// Consent, sharing and safeguarding for one person (docs/domain.md rule 8): decisions recorded and
/// withdrawn (at once), concerns raised under the configured policy, and the log of every share.
/// </summary>
public static class Consents
{
    public sealed record View(IReadOnlyList<ConsentDecision> Decisions, IReadOnlyList<SafeguardingConcern> Concerns, IReadOnlyList<Share> Shares);

    public static async Task<View> ForPerson(AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var decisions = await db.ConsentDecisions.AsNoTracking().Where(d => d.PersonId == personId).OrderByDescending(d => d.RecordedAt).ToListAsync(ct);
        var concerns = await db.SafeguardingConcerns.AsNoTracking().Where(c => c.PersonId == personId).OrderByDescending(c => c.RaisedAt).ToListAsync(ct);
        var shares = await db.Shares.AsNoTracking().Where(s => s.PersonId == personId).OrderByDescending(s => s.SharedAt).ToListAsync(ct);
        db.Audit(clock, actor, AuditAction.DocumentViewed, AuditPurpose.DirectCare, personId, "consent, sharing and safeguarding");
        await db.SaveChangesAsync(ct);
        return new View(decisions, concerns, shares);
    }

    public sealed record RecordCommand(Guid PersonId, ConsentTopic? Topic, bool? Agreed, string? Whom, string? WhatTheyMayKnow);

    public static async Task<Result<ConsentDecision>> Record(AftercareDbContext db, TimeProvider clock, Actor actor, RecordCommand command, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(command);
        if (!await db.People.AnyAsync(p => p.Id == command.PersonId, ct))
        {
            return Result<ConsentDecision>.Failure("person", "That person was not found.");
        }

        var now = clock.GetUtcNow();
        var decision = ConsentDecision.Record(command.PersonId, command.Topic, command.Agreed, command.Whom, command.WhatTheyMayKnow, actor.Email, now);
        if (!decision.IsSuccess)
        {
            return decision;
        }

        db.ConsentDecisions.Add(decision.Value);
        db.Audit(clock, actor, AuditAction.ConsentRecorded, AuditPurpose.DirectCare, command.PersonId, $"{decision.Value.Topic} {(decision.Value.Agreed ? "agreed" : "declined")}");
        await SaveWithMessages(db, command.PersonId, decision.Value.Topic, decision.Value.Agreed, now, ct);
        return decision;
    }

    public static async Task<Result<ConsentDecision>> Withdraw(AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, Guid decisionId, string? note, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        var decision = await db.ConsentDecisions.FirstOrDefaultAsync(d => d.Id == decisionId && d.PersonId == personId, ct);
        if (decision is null)
        {
            return Result<ConsentDecision>.Failure("decision", "That decision was not found.");
        }

        var now = clock.GetUtcNow();
        var errors = decision.Withdraw(actor.Email, note, now);
        if (errors.Count > 0)
        {
            return Result<ConsentDecision>.Failure(errors);
        }

        db.Audit(clock, actor, AuditAction.ConsentWithdrawn, AuditPurpose.DirectCare, personId, decision.Topic.ToString());
        await SaveWithMessages(db, personId, decision.Topic, agreed: false, now, ct);
        return decision;
    }

    /// <summary>Saves; a decision about messages takes effect at once: what is waiting is cancelled in the same transaction.</summary>
    private static async Task SaveWithMessages(AftercareDbContext db, Guid personId, ConsentTopic topic, bool agreed, DateTimeOffset now, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (topic == ConsentTopic.ReceiveMessages)
        {
            var preferences = await db.MessagePreferences.FirstOrDefaultAsync(p => p.PersonId == personId, ct);
            if (preferences is null)
            {
                preferences = new MessagePreferences(personId);
                db.MessagePreferences.Add(preferences);
            }

            if (agreed)
            {
                preferences.OptBackIn();
            }
            else
            {
                preferences.OptOut(now);
            }
        }

        await db.SaveChangesAsync(ct);
        if (topic == ConsentTopic.ReceiveMessages && !agreed)
        {
            await Messaging.CaringMessages.CancelAllPending(db, personId, NotSentBecause.ConsentWithdrawn, ct);
        }

        await transaction.CommitAsync(ct);
    }

    public sealed record ConcernCommand(Guid PersonId, SafeguardingKind? Kind, string? Concern, string? ReportedTo, string? Reference, string? NoReportReason);

    /// <summary>Raises a concern under the configured policy; a report made is logged as a share on a safeguarding basis.</summary>
    public static async Task<Result<SafeguardingConcern>> RaiseConcern(
        AftercareDbContext db, TimeProvider clock, Actor actor, SafeguardingPolicy policy, ConcernCommand command, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(command);
        if (!await db.People.AnyAsync(p => p.Id == command.PersonId, ct))
        {
            return Result<SafeguardingConcern>.Failure("person", "That person was not found.");
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

    /// <summary>
    /// Whether the person agrees to share with their GP now: the latest of their recorded decision
    /// (withdrawn means no, from the moment it was withdrawn) and their completed assessment.
    /// </summary>
    public static async Task<(ConfidentialityAndConsent? Consent, DateTimeOffset? At, string? Source)> ForGp(AftercareDbContext db, Guid personId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var assessment = await db.Assessments.AsNoTracking()
            .Where(a => a.PersonId == personId && a.Status == DocumentStatus.Completed)
            .OrderByDescending(a => a.UpdatedAt).FirstOrDefaultAsync(ct);
        var decision = await db.ConsentDecisions.AsNoTracking()
            .Where(d => d.PersonId == personId && d.Topic == ConsentTopic.ShareWithGp)
            .OrderByDescending(d => d.RecordedAt).FirstOrDefaultAsync(ct);
        var decidedAt = decision?.WithdrawnAt ?? decision?.RecordedAt;
        if (decision is null || (assessment is not null && assessment.UpdatedAt > decidedAt))
        {
            return (assessment?.Content.Consent, assessment?.UpdatedAt, null);
        }

        var answer = decision.InForce ? YesNoUnknown.Yes : YesNoUnknown.No;
        var basis = (assessment?.Content.Consent ?? ConfidentialityAndConsent.NotYetAsked) with { ShareWithGp = answer };
        return (basis, decidedAt, decision.WithdrawnAt is null ? "on the consent page" : "withdrawn on the consent page");
    }
}
