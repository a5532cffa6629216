namespace Aftercare.Domain.Access;

/// <summary>Why someone outside the care team needs a record now. Stored by name.</summary>
public enum BreakGlassReason
{
    EmergencyCare,
    PresentedToMyService,
    Safeguarding,
    CareHandover,
    Other,
}

/// <summary>What the privacy lead concluded about one use. Stored by name.</summary>
public enum BreakGlassReviewOutcome
{
    Appropriate,
    NotAppropriate,
}

public static class BreakGlassLabels
{
    public static string Describe(this BreakGlassReason reason) => reason switch
    {
        BreakGlassReason.EmergencyCare => "Emergency care: the person needs care now",
        BreakGlassReason.PresentedToMyService => "The person has come to my service",
        BreakGlassReason.Safeguarding => "A safeguarding concern",
        BreakGlassReason.CareHandover => "Handover of care to me or my team",
        BreakGlassReason.Other => "Another reason (say which below)",
        _ => reason.ToString(),
    };

    public static string Describe(this BreakGlassReviewOutcome outcome) => outcome switch
    {
        BreakGlassReviewOutcome.Appropriate => "Appropriate",
        BreakGlassReviewOutcome.NotAppropriate => "Not appropriate: followed up with the user",
        _ => outcome.ToString(),
    };
}

/// <summary>
/// Emergency access to one person's record by someone outside their care team ("breaking the
/// glass"): a coded reason and the user's own words, for a few hours, and then a privacy lead's
/// review of every use.
/// </summary>
public sealed class BreakGlassGrant
{
    public const int MinJustification = 10;
    public const int MaxJustification = 1000;
    public static readonly TimeSpan MaxDuration = TimeSpan.FromHours(12);

    private BreakGlassGrant()
    {
        UserId = "";
        UserEmail = "";
        Justification = "";
    }

    public Guid Id { get; private set; }

    public string UserId { get; private set; }

    public string UserEmail { get; private set; }

    public Guid PersonId { get; private set; }

    public BreakGlassReason Reason { get; private set; }

    public string Justification { get; private set; }

    public DateTimeOffset GrantedAt { get; private set; }

    public DateTimeOffset ExpiresAt { get; private set; }

    public DateTimeOffset? ReviewedAt { get; private set; }

    public string? ReviewedBy { get; private set; }

    public BreakGlassReviewOutcome? ReviewOutcome { get; private set; }

    public string? ReviewNote { get; private set; }

    public bool IsActiveAt(DateTimeOffset now) => GrantedAt <= now && now < ExpiresAt;

    public static Result<BreakGlassGrant> Open(
        string userId, string userEmail, Guid personId, BreakGlassReason? reason, string? justification, DateTimeOffset now, TimeSpan duration)
    {
        var errors = new Errors();
        var words = (justification ?? "").Trim();
        errors.AddIf(reason is null || !Enum.IsDefined(reason.Value), "reason", "Choose why you need this record.");
        errors.AddIf(words.Length < MinJustification, "justification", $"Say in your own words why you need this record now (at least {MinJustification} characters).");
        errors.AddIf(words.Length > MaxJustification, "justification", $"Keep the reason to {MaxJustification} characters.");
        errors.AddIf(duration <= TimeSpan.Zero || duration > MaxDuration, "duration", $"Access lasts between a minute and {MaxDuration.TotalHours} hours.");
        if (string.IsNullOrEmpty(userId))
        {
            errors.Add(new Error("user", "Only a signed-in member of staff can break the glass.", ErrorKind.Forbidden));
        }
        if (errors.Any)
        {
            return Result<BreakGlassGrant>.Failure(errors.List);
        }

        return new BreakGlassGrant
        {
            Id = Guid.CreateVersion7(now),
            UserId = userId,
            UserEmail = userEmail,
            PersonId = personId,
            Reason = reason!.Value,
            Justification = words,
            GrantedAt = now,
            ExpiresAt = now + duration,
        };
    }

    /// <summary>A privacy lead signs a use off once; never their own.</summary>
    public IReadOnlyList<Error> Review(string reviewerId, string reviewerEmail, BreakGlassReviewOutcome? outcome, string? note, DateTimeOffset now)
    {
        var errors = new Errors();
        errors.RefuseIf(ReviewedAt is not null, "outcome", "This use has been reviewed already.");
        errors.RefuseIf(reviewerId == UserId, "outcome", "Someone else must review your own use of emergency access.");
        errors.AddIf(outcome is null || !Enum.IsDefined(outcome.Value), "outcome", "Choose whether the use was appropriate.");
        var text = (note ?? "").Trim();
        errors.AddIf(outcome == BreakGlassReviewOutcome.NotAppropriate && text.Length == 0, "note", "Say what follow-up was agreed.");
        errors.AddIf(text.Length > MaxJustification, "note", $"Keep the note to {MaxJustification} characters.");
        if (!errors.Any)
        {
            ReviewedAt = now;
            ReviewedBy = reviewerEmail;
            ReviewOutcome = outcome;
            ReviewNote = text.Length == 0 ? null : text;
        }

        return errors.List;
    }
}

/// <summary>A member of staff works at a site: the people who presented there are in their care.</summary>
public sealed class StaffSite
{
    public StaffSite(string userId, Guid siteId)
    {
        UserId = userId;
        SiteId = siteId;
    }

    public string UserId { get; private set; }

    public Guid SiteId { get; private set; }
}

/// <summary>A member of staff assigned to one person's care (a therapist, a worker from another team).</summary>
public sealed class CareAssignment
{
    private CareAssignment()
    {
        UserId = "";
        AssignedBy = "";
    }

    public Guid Id { get; private set; }

    public Guid PersonId { get; private set; }

    public string UserId { get; private set; }

    public DateTimeOffset AssignedAt { get; private set; }

    public string AssignedBy { get; private set; }

    public static CareAssignment Assign(Guid personId, string userId, string by, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        PersonId = personId,
        UserId = userId,
        AssignedAt = now,
        AssignedBy = by,
    };
}
