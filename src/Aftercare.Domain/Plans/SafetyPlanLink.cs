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

    /// <summary>
    /// A link to write the plan while waiting in the emergency department (issue 14.4): it opens the
    /// seven sections to write in, never the plan to read, and works for hours, not months.
    /// </summary>
    public bool WhileYouWait { get; private set; }

    /// <summary>How long a while-you-wait link works: the length of a long wait.</summary>
    public static TimeSpan WhileYouWaitLifetime { get; } = TimeSpan.FromHours(12);

    public bool IsUsable(DateTimeOffset now) => RevokedAt is null && now < ExpiresAt;

    /// <summary>A link for the person to write their draft plan while they wait; the token is returned once.</summary>
    public static (SafetyPlanLink Link, string Token) CreateWhileYouWait(Guid safetyPlanId, Guid personId, string by, DateTimeOffset now)
    {
        var (link, token) = Create(safetyPlanId, personId, WhileYouWaitLifetime, by, now);
        link.WhileYouWait = true;
        return (link, token);
    }

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
