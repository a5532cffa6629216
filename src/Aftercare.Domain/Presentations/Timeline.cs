namespace Aftercare.Domain.Presentations;

/// <summary>One presentation as the person's timeline shows it.</summary>
public sealed record TimelinePresentation(Presentation Presentation, int Number, bool CameBack)
{
    /// <summary>
    /// docs/domain.md rule 2: a repeat presentation is the person coming back for help, said plainly.
    /// </summary>
    public string Heading => Presentation.IsEnteredInError ? "Entered in error: withdrawn, not counted"
        : CameBack ? $"Came back for help ({Ordinal(Number)} presentation)"
        : "First presentation recorded here";

    private static string Ordinal(int n) => (n % 100) switch
    {
        11 or 12 or 13 => $"{n}th",
        _ => (n % 10) switch
        {
            1 => $"{n}st",
            2 => $"{n}nd",
            3 => $"{n}rd",
            _ => $"{n}th",
        },
    };
}

/// <summary>
/// The person's contacts in time order, with plain counts (docs/domain.md rule 2): facts such as
/// "3 presentations in the last 12 months", never a label, flag or filter for people who return.
/// </summary>
public sealed class Timeline
{
    private Timeline(IReadOnlyList<TimelinePresentation> presentations, int inLastYear)
    {
        Presentations = presentations;
        PresentationsInLast12Months = inLastYear;
    }

    /// <summary>Newest first, as a clinician reads a record; those entered in error stay, marked, but are not numbered or counted.</summary>
    public IReadOnlyList<TimelinePresentation> Presentations { get; }

    /// <summary>The newest presentation that counts (not entered in error), or null when there is none.</summary>
    public Presentation? Latest => Presentations.FirstOrDefault(p => !p.Presentation.IsEnteredInError)?.Presentation;

    public int PresentationsInLast12Months { get; }

    public int TotalPresentations => Presentations.Count(p => !p.Presentation.IsEnteredInError);

    public string Summary =>
        $"{Count(PresentationsInLast12Months, "presentation")} in the last 12 months"
        + (TotalPresentations > PresentationsInLast12Months ? $", {TotalPresentations} in all" : "");

    public static Timeline Of(IEnumerable<Presentation> presentations, DateTimeOffset now)
    {
        var ordered = presentations.OrderBy(p => p.ArrivedAt).ThenBy(p => p.RecordedAt).ToList();
        var number = 0;
        var entries = ordered.Select(p => p.IsEnteredInError ? new TimelinePresentation(p, 0, false) : new TimelinePresentation(p, ++number, number > 1)).Reverse().ToList();
        var since = now.AddMonths(-12);
        return new Timeline(entries, ordered.Count(p => !p.IsEnteredInError && p.ArrivedAt > since));
    }

    public static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
}
