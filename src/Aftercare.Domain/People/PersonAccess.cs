using System.Security.Cryptography;

namespace Aftercare.Domain.People;

/// <summary>
/// A passkey the person set up on their own phone (WebAuthn), to sign in to their own space at /my.
/// The device name is theirs ("my phone") and is encrypted at rest; the key is public, the secret
/// never leaves the phone. Revoked by staff (a lost phone), after which it signs no one in.
/// </summary>
public sealed class PersonPasskey
{
    public const int MaxDeviceName = 60;

    private PersonPasskey()
    {
        CredentialId = [];
        PublicKey = [];
        DeviceName = "";
    }

    public Guid Id { get; private set; }

    public Guid PersonId { get; private set; }

    /// <summary>The authenticator's credential id, by which a sign-in finds the passkey.</summary>
    public byte[] CredentialId { get; private set; }

    /// <summary>The COSE public key the phone's signatures are checked with.</summary>
    public byte[] PublicKey { get; private set; }

    /// <summary>The authenticator's signature counter, to notice a cloned key when it counts.</summary>
    public long SignCount { get; private set; }

    public string DeviceName { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? LastUsedAt { get; private set; }

    public DateTimeOffset? RevokedAt { get; private set; }

    public bool IsActive => RevokedAt is null;

    /// <summary>The name the person gave, trimmed, or "This phone"; an error when too long.</summary>
    public static Result<string> CleanDeviceName(string? name)
    {
        var clean = (name ?? "").Trim();
        if (clean.Length > MaxDeviceName)
        {
            return Result<string>.Failure([new Error("deviceName", $"Give this phone a shorter name: {MaxDeviceName} characters at most.")]);
        }

        return clean.Length == 0 ? "This phone" : clean;
    }

    public static PersonPasskey Create(Guid personId, byte[] credentialId, byte[] publicKey, long signCount, string deviceName, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        PersonId = personId,
        CredentialId = credentialId,
        PublicKey = publicKey,
        SignCount = signCount,
        DeviceName = deviceName,
        CreatedAt = now,
    };

    public void Used(long signCount, DateTimeOffset now)
    {
        SignCount = signCount;
        LastUsedAt = now;
    }

    public void Revoke(DateTimeOffset now) => RevokedAt ??= now;
}

public enum PersonSignInMethod
{
    Passkey,
    EmailCode,
    TextCode,
}

/// <summary>
/// A signed-in session of the person's own: the cookie names it, and every request checks it is
/// still open, so revoking access ends it at once (as a staff security stamp does).
/// </summary>
public sealed class PersonSession
{
    private PersonSession()
    {
    }

    public Guid Id { get; private set; }

    public Guid PersonId { get; private set; }

    /// <summary>The passkey it was opened with, when it was.</summary>
    public Guid? PasskeyId { get; private set; }

    public PersonSignInMethod Method { get; private set; }

    public DateTimeOffset StartedAt { get; private set; }

    public DateTimeOffset? EndedAt { get; private set; }

    public bool IsOpen => EndedAt is null;

    public static PersonSession Start(Guid personId, Guid? passkeyId, PersonSignInMethod method, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        PersonId = personId,
        PasskeyId = passkeyId,
        Method = method,
        StartedAt = now,
    };

    public void End(DateTimeOffset now) => EndedAt ??= now;
}

/// <summary>
/// A one-time sign-in code sent to the person's recorded mobile or email: 6 digits, 10 minutes,
/// 5 tries, used once. Only a hash of the code (with the row's id) is stored.
/// </summary>
public sealed class PersonSignInCode
{
    public const int MaxTries = 5;

    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private PersonSignInCode()
    {
        CodeHash = "";
    }

    public Guid Id { get; private set; }

    public Guid PersonId { get; private set; }

    public PersonSignInMethod Method { get; private set; }

    public string CodeHash { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset ExpiresAt { get; private set; }

    public int FailedTries { get; private set; }

    public DateTimeOffset? UsedAt { get; private set; }

    /// <summary>A new code; the digits are in hand only now, to be sent, and never stored.</summary>
    public static (PersonSignInCode Code, string Digits) Create(Guid personId, PersonSignInMethod method, DateTimeOffset now)
    {
        var digits = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        var code = new PersonSignInCode { Id = Guid.CreateVersion7(now), PersonId = personId, Method = method, CreatedAt = now, ExpiresAt = now + Lifetime };
        code.CodeHash = HashOf(code.Id, digits);
        return (code, digits);
    }

    public enum Outcome
    {
        Accepted,
        Wrong,
        Expired,
        TooManyTries,
        AlreadyUsed,
    }

    /// <summary>Checks a typed code: a wrong one counts as a try; a right one is used up.</summary>
    public Outcome Try(string? typed, DateTimeOffset now)
    {
        if (UsedAt is not null)
        {
            return Outcome.AlreadyUsed;
        }

        if (now >= ExpiresAt)
        {
            return Outcome.Expired;
        }

        if (FailedTries >= MaxTries)
        {
            return Outcome.TooManyTries;
        }

        var clean = new string((typed ?? "").Where(char.IsAsciiDigit).ToArray());
        if (clean.Length != 6 || !CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(CodeHash), System.Text.Encoding.ASCII.GetBytes(HashOf(Id, clean))))
        {
            FailedTries++;
            return Outcome.Wrong;
        }

        UsedAt = now;
        return Outcome.Accepted;
    }

    public int TriesLeft => Math.Max(0, MaxTries - FailedTries);

    /// <summary>Ends the code unused (access revoked, or a newer code sent).</summary>
    public void Withdraw(DateTimeOffset now) => UsedAt ??= now;

    private static string HashOf(Guid id, string digits) =>
        Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"aftercare-person-code-v1:{id:N}:{digits}")));
}
