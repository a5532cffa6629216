namespace Aftercare.Domain.Plans;

/// <summary>
/// A private, read-only link to the person's own safety plan for their phone. The token is random
/// and only its hash is stored; it expires and can be revoked, and then shows nothing.
/// </summary>
public sealed class SafetyPlanLink
{
    private SafetyPlanLink()
    {
        TokenHash = "";
        CreatedBy = "";
    }

    public Guid Id { get; private set; }

    public Guid SafetyPlanId { get; private set; }

    public Guid PersonId { get; private set; }

    public string TokenHash { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public string CreatedBy { get; private set; }

    public DateTimeOffset ExpiresAt { get; private set; }

    public DateTimeOffset? RevokedAt { get; private set; }

    public bool IsUsable(DateTimeOffset now) => RevokedAt is null && now < ExpiresAt;

    /// <summary>Makes a link; the token is returned once, to be given to the person, and never stored.</summary>
    public static (SafetyPlanLink Link, string Token) Create(Guid safetyPlanId, Guid personId, TimeSpan lifetime, string by, DateTimeOffset now)
    {
        var token = PrivateLinkToken.New();
        var link = new SafetyPlanLink
        {
            Id = Guid.CreateVersion7(now),
            SafetyPlanId = safetyPlanId,
            PersonId = personId,
            TokenHash = token.Hash,
            CreatedAt = now,
            CreatedBy = by,
            ExpiresAt = now + lifetime,
        };
        return (link, token.Token);
    }

    public void Revoke(DateTimeOffset now) => RevokedAt ??= now;
}
