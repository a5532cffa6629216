namespace Aftercare.Domain.Feedback;

/// <summary>A five-point agreement scale. Stored by name.</summary>
public enum Agreement
{
    StronglyDisagree,
    Disagree,
    NeitherAgreeNorDisagree,
    Agree,
    StronglyAgree,
}

/// <summary>How long the person waited, as they remember it. Stored by name.</summary>
public enum WaitingTime
{
    UnderAnHour,
    OneToFourHours,
    FourToTwelveHours,
    TwelveHoursToADay,
    MoreThanADay,
    NotSure,
}

public static class FeedbackLabels
{
    public static string Describe(this Agreement value) => value switch
    {
        Agreement.StronglyDisagree => "Strongly disagree",
        Agreement.Disagree => "Disagree",
        Agreement.NeitherAgreeNorDisagree => "Neither agree nor disagree",
        Agreement.Agree => "Agree",
        Agreement.StronglyAgree => "Strongly agree",
        _ => value.ToString(),
    };

    public static string Describe(this WaitingTime value) => value switch
    {
        WaitingTime.UnderAnHour => "Less than an hour",
        WaitingTime.OneToFourHours => "1 to 4 hours",
        WaitingTime.FourToTwelveHours => "4 to 12 hours",
        WaitingTime.TwelveHoursToADay => "12 hours to a day",
        WaitingTime.MoreThanADay => "More than a day",
        WaitingTime.NotSure => "Not sure",
        _ => value.ToString(),
    };

    public static string Describe(this FeedbackAbout value) => value switch
    {
        FeedbackAbout.Assessment => "Assessment",
        FeedbackAbout.Contact => "Aftercare contact",
        _ => value.ToString(),
    };
}

/// <summary>What the person answered; every question may be left out.</summary>
public sealed record FeedbackAnswers(Agreement? ListenedTo, Agreement? TreatedWithRespect, Agreement? InvolvedInDecisions, WaitingTime? Wait, string? Comments);

/// <summary>
/// One person's feedback on an assessment or a contact (docs/domain.md rule 14). Counted per site and
/// month. An anonymous response keeps only the site, what it was about, the month and the answers:
/// no person, no link, no time of day, and a random (not time-ordered) id.
/// </summary>
public sealed class FeedbackResponse
{
    public const int MaxComments = 2000;

    private FeedbackResponse()
    {
    }

    public Guid Id { get; private set; }

    public Guid SiteId { get; private set; }

    public FeedbackAbout About { get; private set; }

    /// <summary>The first day of the month the feedback was asked for: the period it is counted in.</summary>
    public DateOnly Period { get; private set; }

    /// <summary>The person, only when they chose to give their name; null when anonymous.</summary>
    public Guid? PersonId { get; private set; }

    /// <summary>The presentation or contact asked about, only when not anonymous.</summary>
    public Guid? AboutId { get; private set; }

    /// <summary>When it was given, only when not anonymous (a time would match the link's use).</summary>
    public DateTimeOffset? GivenAt { get; private set; }

    public bool Anonymous => PersonId is null;

    public Agreement? ListenedTo { get; private set; }

    public Agreement? TreatedWithRespect { get; private set; }

    public Agreement? InvolvedInDecisions { get; private set; }

    public WaitingTime? Wait { get; private set; }

    /// <summary>In the person's words; encrypted at rest.</summary>
    public string? Comments { get; private set; }

    public static Result<FeedbackResponse> Give(FeedbackLink link, FeedbackAnswers answers, bool anonymous, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(answers);
        var comments = string.IsNullOrWhiteSpace(answers.Comments) ? null : answers.Comments.Trim();
        if (comments is { Length: > MaxComments })
        {
            return Result<FeedbackResponse>.Failure("comments", $"Your comments can be at most {MaxComments} characters.");
        }

        if (answers is { ListenedTo: null, TreatedWithRespect: null, InvolvedInDecisions: null, Wait: null } && comments is null)
        {
            return Result<FeedbackResponse>.Failure("listenedTo", "Answer at least one question, or write a comment.");
        }

        return new FeedbackResponse
        {
            // A random id: a time-ordered one would say when an anonymous answer was given.
            Id = Guid.NewGuid(),
            SiteId = link.SiteId,
            About = link.About,
            Period = new DateOnly(link.CreatedAt.UtcDateTime.Year, link.CreatedAt.UtcDateTime.Month, 1),
            PersonId = anonymous ? null : link.PersonId,
            AboutId = anonymous ? null : link.AboutId,
            GivenAt = anonymous ? null : now,
            ListenedTo = answers.ListenedTo,
            TreatedWithRespect = answers.TreatedWithRespect,
            InvolvedInDecisions = answers.InvolvedInDecisions,
            Wait = answers.Wait,
            Comments = comments,
        };
    }
}
