using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Access;
using Aftercare.Domain.Audit;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Access;

/// <summary>Breaks the glass: someone outside the care team opens one person's record in an emergency, with a coded reason, their own words and their password again.</summary>
public static class OpenBreakGlass
{
    public sealed record Command(Guid PersonId, BreakGlassReason? Reason, string? Justification, string? Password);

    public static async Task<Result<BreakGlassGrant>> Handle(
        AftercareDbContext db, UserManager<AftercareUser> users, TimeProvider clock, Actor actor, Command command, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(command);
        var now = clock.GetUtcNow();
        var grant = BreakGlassGrant.Open(actor.UserId, actor.Email, command.PersonId, command.Reason, command.Justification, now, BreakGlass.Duration);
        var user = await users.FindByIdAsync(actor.UserId);
        if (user is null || Users.Lockout.IsLocked(user, now))
        {
            return Result<BreakGlassGrant>.Failure(new Error("password", "Your account cannot be used now. Ask your administrator.", ErrorKind.Forbidden));
        }

        // The password is asked for again so that a session left open cannot be used to break the glass.
        if (string.IsNullOrEmpty(command.Password))
        {
            return Result<BreakGlassGrant>.Failure([.. grant.IsSuccess ? [] : grant.Errors, new Error("password", BreakGlass.EnterPassword)]);
        }

        if (!await users.CheckPasswordAsync(user, command.Password))
        {
            await Users.Lockout.RecordFailureAsync(db, user.Id, now, users.Options.Lockout.MaxFailedAccessAttempts, users.Options.Lockout.DefaultLockoutTimeSpan, ct);
            db.Audit(clock, actor, AuditAction.RecordRefused, AuditPurpose.Security, command.PersonId, "break glass: password not confirmed");
            await db.SaveChangesAsync(ct);
            return Result<BreakGlassGrant>.Failure([.. grant.IsSuccess ? [] : grant.Errors, new Error("password", BreakGlass.WrongPassword(users.Options.Lockout.MaxFailedAccessAttempts, users.Options.Lockout.DefaultLockoutTimeSpan))]);
        }

        if (!grant.IsSuccess)
        {
            return grant;
        }

        if (!await db.People.AnyAsync(p => p.Id == command.PersonId, ct))
        {
            return Result<BreakGlassGrant>.Failure(Error.NotFound("person", "There is no such record."));
        }

        await Users.Lockout.ResetAsync(db, user, ct);
        db.BreakGlassGrants.Add(grant.Value);
        db.Audit(clock, actor, AuditAction.BreakGlassOpened, AuditPurpose.EmergencyAccess, command.PersonId, $"{grant.Value.Reason} until {grant.Value.ExpiresAt:HH:mm}Z");
        await db.SaveChangesAsync(ct);
        return grant;
    }
}
