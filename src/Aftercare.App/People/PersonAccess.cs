using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.People;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.People;

/// <summary>
/// The person's own way in to /my (issue 14.1): passkeys, one-time codes and sessions, and staff
/// revoking all of it. Each step is audited; the person's own steps with the person as actor.
/// </summary>
public static class PersonAccess
{
    /// <summary>At most this many codes are sent to one person in <see cref="CodeWindow"/>.</summary>
    public const int CodesPerWindow = 3;

    public static readonly TimeSpan CodeWindow = TimeSpan.FromMinutes(15);

    /// <summary>The person a private link belongs to, when the link is still usable (no audit: nothing is shown).</summary>
    public static async Task<Guid?> PersonOfLinkAsync(AftercareDbContext db, TimeProvider clock, string? token, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(clock);
        var link = await db.SafetyPlanLinks.FindByTokenAsync(l => l.TokenHash, token, ct);
        return link is not null && !link.WhileYouWait && link.IsUsable(clock.GetUtcNow()) ? link.PersonId : null;
    }

    /// <summary>Whether staff have given the person a way in that is not revoked: a usable private link or a passkey.</summary>
    public static async Task<bool> HasAccessAsync(AftercareDbContext db, TimeProvider clock, Guid personId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(clock);
        var now = clock.GetUtcNow();
        return await db.PersonPasskeys.AnyAsync(p => p.PersonId == personId && p.RevokedAt == null, ct)
            || await db.SafetyPlanLinks.AnyAsync(l => l.PersonId == personId && !l.WhileYouWait && l.RevokedAt == null && l.ExpiresAt > now, ct);
    }

    public static async Task<PersonSession> StartSessionAsync(AftercareDbContext db, TimeProvider clock, Guid personId, PersonPasskey? passkey, PersonSignInMethod method, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(clock);
        var session = PersonSession.Start(personId, passkey?.Id, method, clock.GetUtcNow());
        db.PersonSessions.Add(session);
        db.Audit(clock, Actor.ThePerson(personId), AuditAction.PersonSignedIn, AuditPurpose.Security, personId, session.Id.ToString());
        await db.SaveChangesAsync(ct);
        return session;
    }

    /// <summary>Whether the session a cookie names is still open: checked on every request.</summary>
    public static Task<bool> SessionIsOpenAsync(AftercareDbContext db, Guid personId, Guid sessionId, CancellationToken ct) =>
        db.PersonSessions.AsNoTracking().AnyAsync(s => s.Id == sessionId && s.PersonId == personId && s.EndedAt == null, ct);

    public static async Task EndSessionAsync(AftercareDbContext db, TimeProvider clock, Guid personId, Guid sessionId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var session = await db.PersonSessions.FirstOrDefaultAsync(s => s.Id == sessionId && s.PersonId == personId, ct);
        if (session is null || !session.IsOpen)
        {
            return;
        }

        session.End(clock.GetUtcNow());
        db.Audit(clock, Actor.ThePerson(personId), AuditAction.PersonSignedOut, AuditPurpose.Security, personId, session.Id.ToString());
        await db.SaveChangesAsync(ct);
    }

    public static async Task<PersonPasskey> AddPasskeyAsync(AftercareDbContext db, TimeProvider clock, Guid personId, byte[] credentialId, byte[] publicKey, long signCount, string deviceName, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var passkey = PersonPasskey.Create(personId, credentialId, publicKey, signCount, deviceName, clock.GetUtcNow());
        db.PersonPasskeys.Add(passkey);
        db.Audit(clock, Actor.ThePerson(personId), AuditAction.PersonPasskeySetUp, AuditPurpose.Security, personId, passkey.Id.ToString());
        await db.SaveChangesAsync(ct);
        return passkey;
    }

    /// <summary>An active passkey by its credential id, or null.</summary>
    public static Task<PersonPasskey?> FindPasskeyAsync(AftercareDbContext db, byte[] credentialId, CancellationToken ct) =>
        db.PersonPasskeys.FirstOrDefaultAsync(p => p.CredentialId == credentialId && p.RevokedAt == null, ct);

    public sealed record SentCode(Guid Ticket, PersonSignInCode? Code, string? Digits);

    /// <summary>
    /// Makes a code for the person, when they have access and have not had too many codes lately.
    /// The ticket is the code's id (or a random one when no code was made), so the answer looks the same.
    /// </summary>
    public static async Task<SentCode> NewCodeAsync(AftercareDbContext db, TimeProvider clock, Guid? personId, PersonSignInMethod method, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(clock);
        var now = clock.GetUtcNow();
        if (personId is not { } id || !await HasAccessAsync(db, clock, id, ct)
            || await db.PersonSignInCodes.CountAsync(c => c.PersonId == id && c.CreatedAt > now - CodeWindow, ct) >= CodesPerWindow)
        {
            return new SentCode(Guid.CreateVersion7(now), null, null);
        }

        // A newer code replaces any older one still waiting.
        foreach (var older in await db.PersonSignInCodes.Where(c => c.PersonId == id && c.UsedAt == null).ToListAsync(ct))
        {
            older.Withdraw(now);
        }

        var (code, digits) = PersonSignInCode.Create(id, method, now);
        db.PersonSignInCodes.Add(code);
        db.Audit(clock, Actor.ThePerson(id), AuditAction.PersonSignInCodeSent, AuditPurpose.Security, id, code.Id.ToString());
        await db.SaveChangesAsync(ct);
        return new SentCode(code.Id, code, digits);
    }

    public sealed record CodeAnswer(PersonSignInCode.Outcome Outcome, int TriesLeft, PersonSession? Session);

    /// <summary>Checks a typed code against its ticket; a right one opens a session, a wrong one is audited.</summary>
    public static async Task<CodeAnswer> TryCodeAsync(AftercareDbContext db, TimeProvider clock, Guid ticket, string? typed, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(clock);
        var code = await db.PersonSignInCodes.FirstOrDefaultAsync(c => c.Id == ticket, ct);
        if (code is null)
        {
            return new CodeAnswer(PersonSignInCode.Outcome.Wrong, 0, null);
        }

        var outcome = code.Try(typed, clock.GetUtcNow());
        if (outcome != PersonSignInCode.Outcome.Accepted)
        {
            db.Audit(clock, Actor.ThePerson(code.PersonId), AuditAction.PersonSignInCodeFailed, AuditPurpose.Security, code.PersonId, code.Id.ToString());
            await db.SaveChangesAsync(ct);
            return new CodeAnswer(outcome, code.TriesLeft, null);
        }

        var session = await StartSessionAsync(db, clock, code.PersonId, null, code.Method, ct);
        return new CodeAnswer(outcome, code.TriesLeft, session);
    }

    public sealed record PhoneAccessView(IReadOnlyList<PasskeyRow> Passkeys, IReadOnlyList<SessionRow> Sessions, bool HasLink);

    public sealed record PasskeyRow(Guid Id, string DeviceName, DateTimeOffset SetUpAt, DateTimeOffset? LastUsedAt);

    public sealed record SessionRow(Guid Id, PersonSignInMethod Method, DateTimeOffset StartedAt, string? DeviceName);

    /// <summary>What staff see in "Phone access" on the record, and what the person sees at /my.</summary>
    public static async Task<PhoneAccessView> ViewAsync(AftercareDbContext db, TimeProvider clock, Guid personId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(clock);
        var now = clock.GetUtcNow();
        var passkeys = await db.PersonPasskeys.AsNoTracking().Where(p => p.PersonId == personId && p.RevokedAt == null).OrderBy(p => p.CreatedAt).ToListAsync(ct);
        var sessions = await db.PersonSessions.AsNoTracking().Where(s => s.PersonId == personId && s.EndedAt == null).OrderBy(s => s.StartedAt).ToListAsync(ct);
        var names = passkeys.ToDictionary(p => p.Id, p => p.DeviceName);
        var hasLink = await db.SafetyPlanLinks.AnyAsync(l => l.PersonId == personId && !l.WhileYouWait && l.RevokedAt == null && l.ExpiresAt > now, ct);
        return new PhoneAccessView(
            [.. passkeys.Select(p => new PasskeyRow(p.Id, p.DeviceName, p.CreatedAt, p.LastUsedAt))],
            [.. sessions.Select(s => new SessionRow(s.Id, s.Method, s.StartedAt, s.PasskeyId is { } k ? names.GetValueOrDefault(k) : null))],
            hasLink);
    }

    /// <summary>
    /// Staff revoke the person's access (a lost phone): every passkey, every open session (ended at
    /// once), every code waiting and every private link. The person needs a new link to come back.
    /// </summary>
    public static async Task<int> RevokeAsync(AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(clock);
        var now = clock.GetUtcNow();
        var passkeys = await db.PersonPasskeys.Where(p => p.PersonId == personId && p.RevokedAt == null).ToListAsync(ct);
        var sessions = await db.PersonSessions.Where(s => s.PersonId == personId && s.EndedAt == null).ToListAsync(ct);
        var codes = await db.PersonSignInCodes.Where(c => c.PersonId == personId && c.UsedAt == null).ToListAsync(ct);
        var links = await db.SafetyPlanLinks.Where(l => l.PersonId == personId && l.RevokedAt == null).ToListAsync(ct);
        passkeys.ForEach(p => p.Revoke(now));
        sessions.ForEach(s => s.End(now));
        codes.ForEach(c => c.Withdraw(now));
        links.ForEach(l => l.Revoke(now));
        db.Audit(clock, actor, AuditAction.PersonAccessRevoked, AuditPurpose.Security, personId);
        await db.SaveChangesAsync(ct);
        return passkeys.Count + sessions.Count + links.Count;
    }
}
