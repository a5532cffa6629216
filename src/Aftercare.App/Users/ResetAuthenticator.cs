using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Microsoft.AspNetCore.Identity;

namespace Aftercare.App.Users;

/// <summary>
/// For a lost or replaced phone: the old authenticator key stops working, and at their next sign-in
/// (password first) the member of staff sets up an app again with a new key.
/// </summary>
public static class ResetAuthenticator
{
    public static async Task<Result<string>> Handle(
        UserManager<AftercareUser> users, AftercareDbContext db, TimeProvider clock, Actor actor, string email)
    {
        ArgumentNullException.ThrowIfNull(users);
        var user = await users.FindByEmailAsync((email ?? "").Trim());
        if (user is null)
        {
            return Result<string>.Failure(Error.NotFound("email", "No user has that email address."));
        }

        await using var transaction = await db.Database.BeginTransactionAsync();
        await users.SetTwoFactorEnabledAsync(user, false);
        // A new key (which also changes the security stamp): the old app's codes stop working at once.
        await users.ResetAuthenticatorKeyAsync(user);
        db.Audit(clock, actor, AuditAction.AuthenticatorReset, AuditPurpose.Administration, entityId: user.Id);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return user.Id;
    }
}
