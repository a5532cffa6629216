using System.Security.Claims;
using Aftercare.App;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Users;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Account;

/// <summary>
/// Signs a member of staff in: a password, then a code from their authenticator app (every role:
/// see docs/security.md). A failure says only that sign-in failed, whether the email is unknown,
/// the password wrong or the account locked: nothing tells an attacker which. Wrong codes count
/// toward the same lockout as wrong passwords. The session cookie is issued only after the code.
/// </summary>
public static class SignInUser
{
    public const string EnterEmail = "Enter your email address.";

    public const string EnterPassword = "Enter your password.";

    public const string Failed = "Sign-in failed. Check your email address and password. After 5 failed tries the account is locked for 15 minutes.";

    public const string CodeFailed = "Sign-in failed. Check the code in your authenticator app: it changes every 30 seconds and each code works once. After 5 failed tries the account is locked for 15 minutes.";

    public const string CodeNeeded = "Enter the 6-digit code from your authenticator app.";

    public const string EnrolmentNeeded = "Set up an authenticator app first: add this key to it, then sign in again with the code it shows.";

    /// <summary>A password that was right: next, a code (and, for an account without an app yet, setting one up).</summary>
    public sealed record PasswordAccepted(AftercareUser User, bool HasAuthenticator);

    public sealed record SignedIn(bool MustChangePassword);

    /// <summary>The field of the failure that means "this address has failed too often": answered 429, not 401.</summary>
    public const string ThrottledField = "throttled";

    public static string Throttled(TimeSpan retryAfter) =>
        $"Too many failed sign-ins from this address. Try again in {Math.Max(1, (int)Math.Ceiling(retryAfter.TotalMinutes))} minutes.";

    private static string? _unknownUserHash;

    /// <summary>
    /// The password step. Whatever the outcome (unknown email, wrong password, locked account) the
    /// password is checked against a hash, so each takes as long as the others, and the answer is
    /// the same (issue 17.7: a locked account answered in 2 ms, the others in 94). An address that
    /// has failed too often is refused before any of this, and its attempt reaches no account.
    /// </summary>
    public static async Task<Result<PasswordAccepted>> CheckPassword(
        SignInManager<AftercareUser> signIn, AftercareDbContext db, TimeProvider clock, SignInThrottle throttle, string source,
        string? email, string? password)
    {
        ArgumentNullException.ThrowIfNull(signIn);
        ArgumentNullException.ThrowIfNull(throttle);
        var name = (email ?? "").Trim();

        // A field left empty is said as such: that depends only on what was typed, so it tells
        // nothing about any account, and no password was tried (nothing counts toward a lockout).
        if (name.Length == 0 || string.IsNullOrEmpty(password))
        {
            List<Error> blank = [];
            if (name.Length == 0) blank.Add(new Error("email", EnterEmail));
            if (string.IsNullOrEmpty(password)) blank.Add(new Error("password", EnterPassword));
            return Result<PasswordAccepted>.Failure(blank);
        }

        if (throttle.TryBegin(source, name) is { } retryAfter)
        {
            db.Audit(clock, new Actor("", "(throttled address)", []), AuditAction.SignInFailed, AuditPurpose.Security, entityId: "throttled");
            await db.SaveChangesAsync();
            return Result<PasswordAccepted>.Failure(ThrottledField, Throttled(retryAfter));
        }

        var users = signIn.UserManager;
        var user = name.Length == 0 || !CanNormalise(name) ? null : await users.FindByEmailAsync(name);
        var hasher = users.PasswordHasher;
        if (user is null || string.IsNullOrEmpty(password))
        {
            // As slow as checking a real password, so the time taken does not tell that the account is unknown.
            _unknownUserHash ??= hasher.HashPassword(new AftercareUser(), Guid.NewGuid().ToString());
            hasher.VerifyHashedPassword(new AftercareUser(), _unknownUserHash, password ?? "");
            // What was typed is not recorded: it may not be an email at all, and could be anything.
            db.Audit(clock, new Actor("", "(no such account)", []), AuditAction.SignInFailed, AuditPurpose.Security);
            await db.SaveChangesAsync();
            return Result<PasswordAccepted>.Failure("email", Failed);
        }

        // Checked before the lockout is looked at, locked or not: the same work on every path.
        var verified = hasher.VerifyHashedPassword(user, user.PasswordHash ?? _unknownUserHash ?? "", password);
        var locked = Lockout.IsLocked(user, clock.GetUtcNow());
        if (locked || verified == PasswordVerificationResult.Failed || user.PasswordHash is null)
        {
            // The count of wrong passwords (for lockout) and the audit event commit together. A
            // locked account's failures do not count, as in Identity.
            await using var transaction = await db.Database.BeginTransactionAsync();
            if (!locked)
            {
                await Lockout.RecordFailureAsync(db, user.Id, clock.GetUtcNow(), IdentitySetup.MaxFailedSignIns, IdentitySetup.LockoutPeriod);
            }

            db.Audit(clock, ActorOf(user), AuditAction.SignInFailed, AuditPurpose.Security, entityId: locked ? "locked-out" : null);
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
            return Result<PasswordAccepted>.Failure("email", Failed);
        }

        throttle.GiveBack(source, name);
        if (verified == PasswordVerificationResult.SuccessRehashNeeded)
        {
            await Rehash(db, user, hasher.HashPassword(user, password));
        }

        // With a second factor set up, a right password does not reset the count: only a right code does.
        var hasAuthenticator = user.TwoFactorEnabled && !string.IsNullOrEmpty(await users.GetAuthenticatorKeyAsync(user));
        return new PasswordAccepted(user, hasAuthenticator);
    }

    /// <summary>
    /// Identity's lookup normaliser (string.Normalize) throws on text that is not valid Unicode,
    /// such as U+FFFF: that was a 500 (issue 17.9). Such an email is simply one no account has.
    /// </summary>
    private static bool CanNormalise(string text)
    {
        try
        {
            return text.Normalize().Length >= 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>A hash made with fewer iterations than now, replaced in one statement that changes nothing if the password changed meanwhile.</summary>
    private static async Task Rehash(AftercareDbContext db, AftercareUser user, string hash)
    {
        var old = user.PasswordHash;
        await db.Users.Where(u => u.Id == user.Id && u.PasswordHash == old).ExecuteUpdateAsync(s => s.SetProperty(u => u.PasswordHash, hash));
        var entry = db.Entry(user).Property(u => u.PasswordHash);
        entry.CurrentValue = hash;
        entry.OriginalValue = hash;
        entry.IsModified = false;
    }

    /// <summary>The key to set up an app with, made on first asking and kept until the first right code.</summary>
    public static async Task<string> EnrolmentKey(UserManager<AftercareUser> users, AftercareUser user)
    {
        ArgumentNullException.ThrowIfNull(users);
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user);
        }

        return key ?? throw new InvalidOperationException("The authenticator key was not stored.");
    }

    /// <summary>
    /// The second step: a right code (which also completes setting up an app) issues the session
    /// cookie; a wrong one counts toward lockout.
    /// </summary>
    public static async Task<Result<SignedIn>> CheckCode(
        SignInManager<AftercareUser> signIn, AftercareDbContext db, TimeProvider clock, AftercareUser user, string? code)
    {
        ArgumentNullException.ThrowIfNull(signIn);
        ArgumentNullException.ThrowIfNull(user);
        var users = signIn.UserManager;
        await using var transaction = await db.Database.BeginTransactionAsync();
        if (Lockout.IsLocked(user, clock.GetUtcNow()))
        {
            db.Audit(clock, ActorOf(user), AuditAction.SignInFailed, AuditPurpose.Security, entityId: "locked-out");
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
            return Result<SignedIn>.Failure("code", CodeFailed);
        }

        // The code is claimed atomically (Authenticator): of requests racing with one code, one wins
        // and the others are told the code failed, never 500 (issue 17.8).
        if (!await users.VerifyTwoFactorTokenAsync(user, TokenOptions.DefaultAuthenticatorProvider, code ?? ""))
        {
            await Lockout.RecordFailureAsync(db, user.Id, clock.GetUtcNow(), IdentitySetup.MaxFailedSignIns, IdentitySetup.LockoutPeriod);
            db.Audit(clock, ActorOf(user), AuditAction.SignInFailed, AuditPurpose.Security, entityId: "wrong-code");
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
            return Result<SignedIn>.Failure("code", CodeFailed);
        }

        if (!user.TwoFactorEnabled)
        {
            await Lockout.EnableTwoFactorAsync(db, user);
        }

        await Lockout.ResetAsync(db, user);
        var properties = new AuthenticationProperties { IsPersistent = false };
        properties.Items[IdentitySetup.SignedInAt] = clock.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        await signIn.SignInWithClaimsAsync(user, properties, [new Claim("amr", "mfa")]);
        await signIn.Context.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
        db.Audit(clock, ActorOf(user), AuditAction.SignedIn, AuditPurpose.Security);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return new SignedIn(user.MustChangePassword);
    }

    /// <summary>
    /// Between the two steps a page keeps only who passed the password, in Identity's short-lived
    /// two-factor cookie: not a session, and no page but the code page reads it.
    /// </summary>
    public static Task RememberPasswordStep(HttpContext context, AftercareUser user)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(user);
        var identity = new ClaimsIdentity(IdentityConstants.TwoFactorUserIdScheme);
        identity.AddClaim(new Claim(ClaimTypes.Name, user.Id));
        return context.SignInAsync(IdentityConstants.TwoFactorUserIdScheme, new ClaimsPrincipal(identity));
    }

    /// <summary>Where to go after signing in: only a path on this site.</summary>
    public static string Next(bool mustChangePassword, string? returnUrl) =>
        mustChangePassword ? "/account/password"
        : !string.IsNullOrEmpty(returnUrl) && Uri.IsWellFormedUriString(returnUrl, UriKind.Relative) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            ? returnUrl : "/";

    private static Actor ActorOf(AftercareUser user) => new(user.Id, user.Email ?? "", []);
}
