using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Microsoft.AspNetCore.Identity;

namespace Aftercare.App.Users;

/// <summary>
/// Disables (or enables again) a member of staff. A disabled account is locked out with no end, and
/// its security stamp changes, so a sign-in cookie it already holds stops working at the next stamp
/// check (at most a minute; see docs/security.md).
/// </summary>
public static class DisableUser
{
    public static async Task<Result<string>> Handle(
        UserManager<AftercareUser> users, AftercareDbContext db, TimeProvider clock, Actor actor, string email, bool disable)
    {
        ArgumentNullException.ThrowIfNull(users);
        var user = await users.FindByEmailAsync((email ?? "").Trim());
        if (user is null)
        {
            return Result<string>.Failure(Error.NotFound("email", "No user has that email address."));
        }

        await using var transaction = await db.Database.BeginTransactionAsync();
        await users.SetLockoutEnabledAsync(user, true);
        await users.SetLockoutEndDateAsync(user, disable ? DateTimeOffset.MaxValue : null);
        await users.ResetAccessFailedCountAsync(user);
        await users.UpdateSecurityStampAsync(user);
        db.Audit(clock, actor, disable ? AuditAction.UserDisabled : AuditAction.UserEnabled, AuditPurpose.Administration, entityId: user.Id);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return user.Id;
    }
}
