using Aftercare.App;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Microsoft.AspNetCore.Identity;

namespace Aftercare.Account;

/// <summary>
/// Signs a member of staff in. A failure says only that sign-in failed, whether the email is
/// unknown, the password wrong or the account locked: nothing tells an attacker which.
/// </summary>
public static class SignInUser
{
    public const string Failed = "Sign-in failed. Check your email address and password. After 5 failed tries the account is locked for 15 minutes.";

    public sealed record SignedIn(bool MustChangePassword);

    public static async Task<Result<SignedIn>> Handle(
        SignInManager<AftercareUser> signIn, AftercareDbContext db, TimeProvider clock, string? email, string? password)
    {
        ArgumentNullException.ThrowIfNull(signIn);
        var name = (email ?? "").Trim();
        var user = name.Length == 0 ? null : await signIn.UserManager.FindByEmailAsync(name);
        if (user is null || string.IsNullOrEmpty(password))
        {
            // What was typed is not recorded: it may not be an email at all, and could be anything.
            db.Audit(clock, new Actor("", "(no such account)", []), AuditAction.SignInFailed, AuditPurpose.Security);
            await db.SaveChangesAsync();
            return Result<SignedIn>.Failure("email", Failed);
        }

        // The count of wrong passwords (for lockout) and the audit event commit together.
        await using var transaction = await db.Database.BeginTransactionAsync();
        var result = await signIn.PasswordSignInAsync(user, password, isPersistent: false, lockoutOnFailure: true);
        var actor = new Actor(user.Id, user.Email ?? name, []);
        if (!result.Succeeded)
        {
            db.Audit(clock, actor, AuditAction.SignInFailed, AuditPurpose.Security, entityId: result.IsLockedOut ? "locked-out" : null);
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
            return Result<SignedIn>.Failure("email", Failed);
        }

        db.Audit(clock, actor, AuditAction.SignedIn, AuditPurpose.Security);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return new SignedIn(user.MustChangePassword);
    }
}
