using Aftercare.Domain.Measures;
using Aftercare.App.Data;
using Aftercare.Domain.Feedback;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Feedback;

/// <summary>
/// The person's reported experience per service (site) and month, for service managers beside the
/// process measures (docs/domain.md rule 14). Counts only, every one suppressed below the threshold.
/// Free-text comments are not shown here: words can name a person where a count cannot.
/// </summary>
public static class ExperienceResults
{
    /// <summary>From and To are months (any day in them); Site null means every site.</summary>
    public sealed record Query(DateOnly From, DateOnly To, Guid? SiteId, int Threshold);

    /// <summary>
    /// One site and month. When fewer than the threshold answered, only that is said: no breakdown
    /// (<see cref="Questions"/> is empty).
    /// </summary>
    public sealed record Group(Guid SiteId, string SiteName, DateOnly Period, Shown Responses, IReadOnlyList<Question> Questions);

    /// <summary>A question's answers, with "Not answered" last, so the row adds up to the responses.</summary>
    public sealed record Question(string Key, string Text, IReadOnlyList<Answer> Answers);

    public sealed record Answer(string Label, Shown Count);

    public sealed record Results(Query Query, IReadOnlyList<Group> Groups);

    public const string NotAnswered = "Not answered";

    public static readonly IReadOnlyList<(string Key, string Text)> Questions =
    [
        ("listenedTo", "I felt listened to"),
        ("treatedWithRespect", "I was treated with respect"),
        ("involvedInDecisions", "I was involved in decisions about my care"),
        ("wait", "How long did you wait?"),
    ];

    public static async Task<Results> Handle(AftercareDbContext db, Query query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(query);
        var threshold = Math.Max(1, query.Threshold);
        var from = new DateOnly(query.From.Year, query.From.Month, 1);
        var to = new DateOnly(query.To.Year, query.To.Month, 1);
        // Only the answers: never the person, the comments, or anything that says which response is whose.
        var rows = await db.FeedbackResponses.AsNoTracking()
            .Where(r => r.Period >= from && r.Period <= to && (query.SiteId == null || r.SiteId == query.SiteId))
            .Select(r => new { r.SiteId, r.Period, r.ListenedTo, r.TreatedWithRespect, r.InvolvedInDecisions, r.Wait })
            .ToListAsync(ct);
        var sites = await db.Sites.AsNoTracking().ToDictionaryAsync(s => s.Id, s => s.Name, ct);

        var groups = rows.GroupBy(r => (r.SiteId, r.Period))
            .OrderBy(g => sites.GetValueOrDefault(g.Key.SiteId), StringComparer.Ordinal).ThenBy(g => g.Key.Period)
            .Select(g =>
            {
                var count = g.Count();
                var name = sites.GetValueOrDefault(g.Key.SiteId) ?? "";
                if (Suppression.TooSmall(count, threshold))
                {
                    return new Group(g.Key.SiteId, name, g.Key.Period, Suppression.Alone(count, threshold), []);
                }

                return new Group(g.Key.SiteId, name, g.Key.Period, Suppression.Alone(count, threshold),
                [
                    Agreements(Questions[0], [.. g.Select(r => r.ListenedTo)], threshold),
                    Agreements(Questions[1], [.. g.Select(r => r.TreatedWithRespect)], threshold),
                    Agreements(Questions[2], [.. g.Select(r => r.InvolvedInDecisions)], threshold),
                    Tally(Questions[3], [.. g.Select(r => r.Wait)], Enum.GetValues<WaitingTime>(), w => w.Describe(), threshold),
                ]);
            })
            .ToList();
        return new Results(query with { Threshold = threshold }, groups);
    }

    private static Question Agreements((string Key, string Text) question, IReadOnlyList<Agreement?> answers, int threshold) =>
        Tally(question, answers, Enum.GetValues<Agreement>(), a => a.Describe(), threshold);

    private static Question Tally<T>((string Key, string Text) question, IReadOnlyList<T?> answers, T[] choices, Func<T, string> label, int threshold)
        where T : struct, Enum
    {
        var counts = choices.Select(c => answers.Count(a => a is { } v && v.Equals(c))).Append(answers.Count(a => a is null)).ToList();
        var shown = Suppression.Breakdown(counts, threshold).Parts;
        var labels = choices.Select(label).Append(NotAnswered).ToList();
        return new Question(question.Key, question.Text, [.. labels.Select((l, i) => new Answer(l, shown[i]))]);
    }
}
