namespace Aftercare.Domain.Feedback;

/// <summary>What the person is asked about: the assessment after a presentation, or an aftercare contact.</summary>
public enum FeedbackAbout
{
    Assessment,
    Contact,
}

/// <summary>
/// A private link to a short feedback form (docs/domain.md rule 14). Like the safety-plan link, the
/// token is random and only its hash is stored; it expires, and it takes one response. The link
/// never points at the response: an anonymous answer cannot be followed back through it.
/// </summary>
public sealed class FeedbackLink
{
    private FeedbackLink()
    {
        TokenHash = "";
        CreatedBy = "";
    }

    public Guid Id { get; private set; }

    public Guid PersonId { get; private set; }

    /// <summary>The service (site) whose care is asked about; the results are counted per site.</summary>
    public Guid SiteId { get; private set; }

    public FeedbackAbout About { get; private set; }

    /// <summary>The presentation (for an assessment) or the contact asked about.</summary>
    public Guid AboutId { get; private set; }

    public string TokenHash { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public string CreatedBy { get; private set; }

    public DateTimeOffset ExpiresAt { get; private set; }

    /// <summary>When the one response was given; the link shows nothing after.</summary>
    public DateTimeOffset? UsedAt { get; private set; }

    public bool IsUsable(DateTimeOffset now) => UsedAt is null && now < ExpiresAt;

    /// <summary>Makes a link; the token is returned once, to be sent to the person, and never stored.</summary>
    public static (FeedbackLink Link, string Token) Create(Guid personId, Guid siteId, FeedbackAbout about, Guid aboutId, TimeSpan lifetime, string by, DateTimeOffset now)
    {
        var token = PrivateLinkToken.New();
        var link = new FeedbackLink
        {
            Id = Guid.CreateVersion7(now),
            PersonId = personId,
            SiteId = siteId,
            About = about,
            AboutId = aboutId,
            TokenHash = token.Hash,
            CreatedAt = now,
            CreatedBy = by,
            ExpiresAt = now + lifetime,
        };
        return (link, token.Token);
    }
}
