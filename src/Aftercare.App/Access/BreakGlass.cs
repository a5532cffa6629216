using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Access;
using Aftercare.Domain.Audit;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Access;

/// <summary>
/// Breaking the glass: someone outside the care team opens one person's record in an emergency,
/// with a coded reason, their own words and their password again. It lasts a few hours, is
/// audited with its purpose, and waits on the privacy lead's review queue until signed off.
/// </summary>
public static class BreakGlass
{
    public static readonly TimeSpan Duration = TimeSpan.FromHours(4);

    public const string EnterPassword = "Enter your password to confirm it is you.";

    public static string WrongPassword(int tries, TimeSpan lockout) =>
        $"That password is not right. Enter the password you sign in with; after {Words.Count(tries, "failed try")} your account is locked for {Words.Count((int)lockout.TotalMinutes, "minute")}.";

    public sealed record Command(Guid PersonId, BreakGlassReason? Reason, string? Justification, string? Password);

    public static async Task<Result<BreakGlassGrant>> Open(
        AftercareDbContext db, UserManager<AftercareUser> users, TimeProvider clock, Actor actor, Command command, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(command);
        var now = clock.GetUtcNow();
        var grant = BreakGlassGrant.Open(actor.UserId, actor.Email, command.PersonId, command.Reason, command.Justification, now, Duration);
        var user = await users.FindByIdAsync(actor.UserId);
        if (user is null || Users.Lockout.IsLocked(user, now))
        {
            return Result<BreakGlassGrant>.Failure("password", "Your account cannot be used now. Ask your administrator.");
        }

        // The password is asked for again so that a session left open cannot be used to break the glass.
        if (string.IsNullOrEmpty(command.Password))
        {
            return Result<BreakGlassGrant>.Failure([.. grant.IsSuccess ? [] : grant.Errors, new Error("password", EnterPassword)]);
        }

        if (!await users.CheckPasswordAsync(user, command.Password))
        {
            await Users.Lockout.RecordFailureAsync(db, user.Id, now, users.Options.Lockout.MaxFailedAccessAttempts, users.Options.Lockout.DefaultLockoutTimeSpan, ct);
            db.Audit(clock, actor, AuditAction.RecordRefused, AuditPurpose.Security, command.PersonId, "break glass: password not confirmed");
            await db.SaveChangesAsync(ct);
            return Result<BreakGlassGrant>.Failure([.. grant.IsSuccess ? [] : grant.Errors, new Error("password", WrongPassword(users.Options.Lockout.MaxFailedAccessAttempts, users.Options.Lockout.DefaultLockoutTimeSpan))]);
        }

        if (!grant.IsSuccess)
        {
            return grant;
        }

        if (!await db.People.AnyAsync(p => p.Id == command.PersonId, ct))
        {
            return Result<BreakGlassGrant>.Failure("person", "There is no such record.");
        }

        await Users.Lockout.ResetAsync(db, user, ct);
        db.BreakGlassGrants.Add(grant.Value);
        db.Audit(clock, actor, AuditAction.BreakGlassOpened, AuditPurpose.EmergencyAccess, command.PersonId, $"{grant.Value.Reason} until {grant.Value.ExpiresAt:HH:mm}Z");
        await db.SaveChangesAsync(ct);
        return grant;
    }

    /// <summary>A use on the review queue, with how many times the record was opened under it.</summary>
    public sealed record Use(BreakGlassGrant Grant, int Openings);

    public static async Task<IReadOnlyList<Use>> Queue(AftercareDbContext db, bool reviewed, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var grants = await db.BreakGlassGrants.AsNoTracking()
            .Where(g => reviewed ? g.ReviewedAt != null : g.ReviewedAt == null)
            .OrderBy(g => g.GrantedAt).Take(200).ToListAsync(ct);
        var uses = new List<Use>();
        foreach (var g in grants)
        {
            var openings = await db.AuditEvents.CountAsync(a => a.Action == AuditAction.BreakGlassAccess && a.ActorId == g.UserId && a.PersonId == g.PersonId && a.At >= g.GrantedAt && a.At < g.ExpiresAt, ct);
            uses.Add(new Use(g, openings));
        }

        return reviewed ? [.. uses.OrderByDescending(u => u.Grant.ReviewedAt)] : uses;
    }

    public static async Task<Result<BreakGlassGrant>> Review(
        AftercareDbContext db, TimeProvider clock, Actor actor, Guid grantId, BreakGlassReviewOutcome? outcome, string? note, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        var grant = await db.BreakGlassGrants.FirstOrDefaultAsync(g => g.Id == grantId, ct);
        if (grant is null)
        {
            return Result<BreakGlassGrant>.Failure("grant", "There is no such use of emergency access.");
        }

        var errors = grant.Review(actor.UserId, actor.Email, outcome, note, clock.GetUtcNow());
        if (errors.Count > 0)
        {
            return Result<BreakGlassGrant>.Failure(errors);
        }

        db.Audit(clock, actor, AuditAction.BreakGlassReviewed, AuditPurpose.Security, grant.PersonId, $"{grant.Id} {outcome}");
        await db.SaveChangesAsync(ct);
        return grant;
    }
}
