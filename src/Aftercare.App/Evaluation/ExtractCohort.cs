using Aftercare.Domain.Mortality;
using System.Security.Cryptography;
using Aftercare.App.Data;
using Aftercare.Domain.People;
using Aftercare.Domain.Programme;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Evaluation;

/// <summary>A death linked from mortality data.</summary>
public sealed record LinkedDeath(Guid PersonId, DateOnly Date, DeathCause Cause);

/// <summary>How the cohort is drawn: the engagement window (also the landmark) and the longest follow-up.</summary>
public sealed record EvaluationSettings(int EngagementDays = 7, int FollowUpDays = 365);

/// <summary>The cohort and who was left out before the landmark, for the report's flow of people.</summary>
public sealed record ExtractedCohort(IReadOnlyList<CohortRow> Rows, int People, int ReturnedBeforeLandmark, int DiedBeforeLandmark, int FollowUpNotBegun, bool MortalityLinked);

/// <summary>
/// Draws the evaluation cohort from the record: each person's first presentation is their index;
/// follow-up starts at a landmark, <see cref="EvaluationSettings.EngagementDays"/> after it, so
/// that "engaged" (an aftercare contact that reached the person by then) is known for everyone
/// before their follow-up starts (no immortal time).
/// </summary>
public static class ExtractCohort
{
    /// <summary>Where linked deaths come from; null means mortality data are not linked.</summary>
    public delegate Task<IReadOnlyList<LinkedDeath>?> DeathSource(AftercareDbContext db, CancellationToken ct);

    /// <summary>The deaths imported with `aftercare deaths import`; none imported means mortality is not linked.</summary>
    public static async Task<IReadOnlyList<LinkedDeath>?> LinkedInDatabase(AftercareDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var deaths = await db.Deaths.AsNoTracking().Select(d => new LinkedDeath(d.PersonId, d.DateOfDeath, d.Cause)).ToListAsync(ct);
        return deaths.Count == 0 ? null : deaths;
    }

    public sealed record PersonFacts(Guid Id, DateOnly DateOfBirth, Sex Sex, PriorPsychiatricHistory History);

    public sealed record PresentationFacts(Guid Id, Guid PersonId, DateTimeOffset ArrivedAt);

    public sealed record EpisodeFacts(Guid Id, Guid PresentationId, string PathwayId);

    public sealed record ContactFacts(Guid PersonId, Guid EpisodeId, DateTimeOffset CompletedAt);

    public static async Task<ExtractedCohort> Handle(
        AftercareDbContext db, DateTimeOffset now, byte[] pseudonymKey, EvaluationSettings settings, DeathSource? deaths = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var people = await db.People.AsNoTracking().Select(p => new PersonFacts(p.Id, p.DateOfBirth, p.Sex, p.PriorPsychiatricHistory)).ToListAsync(ct);
        var presentations = await db.Presentations.AsNoTracking().Where(p => p.EnteredInErrorAt == null).Select(p => new PresentationFacts(p.Id, p.PersonId, p.ArrivedAt)).ToListAsync(ct);
        var episodes = await db.Episodes.AsNoTracking().Where(e => db.Presentations.Any(p => p.Id == e.PresentationId && p.EnteredInErrorAt == null)).Select(e => new EpisodeFacts(e.Id, e.PresentationId, e.PathwayId)).ToListAsync(ct);
        var contacts = await db.Contacts.AsNoTracking()
            .Where(c => c.Status == ContactStatus.Done && c.Outcome == ContactOutcome.Reached && c.CompletedAt != null)
            .Select(c => new ContactFacts(c.PersonId, c.EpisodeId, c.CompletedAt!.Value)).ToListAsync(ct);
        var linked = await (deaths ?? LinkedInDatabase)(db, ct);
        return Build(people, presentations, episodes, contacts, linked, now, pseudonymKey, settings);
    }

    /// <summary>The cohort from plain facts (no database), so the rules can be tested directly.</summary>
    public static ExtractedCohort Build(
        IReadOnlyList<PersonFacts> people,
        IReadOnlyList<PresentationFacts> presentations,
        IReadOnlyList<EpisodeFacts> episodes,
        IReadOnlyList<ContactFacts> contacts,
        IReadOnlyList<LinkedDeath>? deaths,
        DateTimeOffset now,
        byte[] pseudonymKey,
        EvaluationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(people);
        ArgumentNullException.ThrowIfNull(settings);
        var byPerson = presentations.ToLookup(p => p.PersonId);
        var episodeByPresentation = episodes.GroupBy(e => e.PresentationId).ToDictionary(g => g.Key, g => g.First());
        var reachedByPerson = contacts.ToLookup(c => c.PersonId);
        var deathByPerson = deaths?.GroupBy(d => d.PersonId).ToDictionary(g => g.Key, g => g.OrderBy(d => d.Date).First());
        using var hmac = new HMACSHA256(pseudonymKey);
        var rows = new List<CohortRow>(people.Count);
        int returned = 0, died = 0, notBegun = 0;
        foreach (var person in people)
        {
            var own = byPerson[person.Id].OrderBy(p => p.ArrivedAt).ToList();
            if (own.Count == 0)
            {
                continue;
            }

            var index = own[0];
            var landmark = index.ArrivedAt.AddDays(settings.EngagementDays);
            var end = Min(now, landmark.AddDays(settings.FollowUpDays));
            DateTimeOffset? deathAt = null;
            DeathCause? cause = null;
            if (deathByPerson?.GetValueOrDefault(person.Id) is { } death)
            {
                // A death date has no time of day: taken as the end of that day (UTC).
                deathAt = new DateTimeOffset(death.Date.ToDateTime(new TimeOnly(23, 59, 59)), TimeSpan.Zero);
                cause = death.Cause;
            }

            if (deathAt <= landmark)
            {
                died++;
                continue;
            }

            var next = own.Skip(1).FirstOrDefault(p => p.ArrivedAt > index.ArrivedAt)?.ArrivedAt;
            if (next <= landmark)
            {
                returned++;
                continue;
            }

            if (end <= landmark)
            {
                notBegun++;
                continue;
            }

            var episode = episodeByPresentation.GetValueOrDefault(index.Id);
            var engaged = reachedByPerson[person.Id].Any(c => c.CompletedAt >= index.ArrivedAt && c.CompletedAt <= landmark);
            var repeatEnd = Min(end, deathAt ?? end);
            // Every repeat presentation in follow-up, one a day at most (a second the same day is the same return for help).
            var repeatDays = own.Where(p => p.ArrivedAt > landmark && p.ArrivedAt <= repeatEnd).Select(p => Days(landmark, p.ArrivedAt)).Distinct().Order().ToArray();
            var firstContact = reachedByPerson[person.Id].Where(c => c.CompletedAt >= index.ArrivedAt && c.CompletedAt <= end).Select(c => (DateTimeOffset?)c.CompletedAt).Min();
            var repeated = next is { } n && n <= repeatEnd;
            var deathEnd = Min(end, deathAt ?? end);
            var diedInFollowUp = deathAt is { } at && at <= end;
            rows.Add(new CohortRow(
                Pseudonym(hmac, person.Id),
                AgeBand.Of(person.DateOfBirth, DateOnly.FromDateTime(index.ArrivedAt.UtcDateTime)).Code,
                person.Sex switch { Sex.Female => "female", Sex.Male => "male", Sex.Other => "other", _ => "unknown" },
                person.History switch { PriorPsychiatricHistory.Yes => "yes", PriorPsychiatricHistory.No => "no", _ => "unknown" },
                engaged,
                episode?.PathwayId ?? "none",
                Days(landmark, repeated ? next!.Value : repeatEnd),
                repeated,
                deaths is null ? null : Days(landmark, deathEnd),
                deaths is null ? null : diedInFollowUp && cause is DeathCause.Suicide or DeathCause.Undetermined,
                deaths is null ? null : diedInFollowUp,
                new FollowUpDetail(Days(landmark, repeatEnd), repeatDays.Length == 0 ? FollowUpDetail.NoRepeats : repeatDays, settings.EngagementDays,
                    firstContact is { } contact ? Days(index.ArrivedAt, contact) : null)));
        }

        // Ordered by pseudonym, so row order says nothing about when anyone presented.
        rows.Sort((a, b) => string.CompareOrdinal(a.Pid, b.Pid));
        return new ExtractedCohort(rows, people.Count, returned, died, notBegun, deaths is not null);
    }

    /// <summary>
    /// A keyed hash of the person's id (HMAC-SHA256, first 128 bits in hex). Without the key the
    /// id cannot be recovered or matched; the key is never written to the file.
    /// </summary>
    public static string Pseudonym(HMACSHA256 hmac, Guid personId)
    {
        ArgumentNullException.ThrowIfNull(hmac);
        return Convert.ToHexStringLower(hmac.ComputeHash(personId.ToByteArray()).AsSpan(0, 16));
    }

    private static int Days(DateTimeOffset from, DateTimeOffset to) => (int)Math.Max(0, Math.Ceiling((to - from).TotalDays));

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
