using Aftercare.App;
using Aftercare.App.Data;
using Aftercare.App.Measures;
using Aftercare.App.Programme;
using Aftercare.Domain.Documents;
using Aftercare.Domain.Mortality;
using Aftercare.Domain.People;
using Aftercare.Domain.Plans;
using Aftercare.Domain.Presentations;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Referrals;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>
/// Issue 16: on PostgreSQL the dashboard is counted in SQL (<see cref="MeasureCountsInPostgres"/>), a translation of
/// the Domain's definitions. On a random synthetic cohort full of edge cases (ties, entered in error, clock changes,
/// local midnight, birthdays and 29 February, the 4-hour, 48-hour, 7-, 30- and 365-day edges, draft plans, two
/// episodes for one presentation, deaths on the edges, referrals at the period's ends), every cell of every breakdown,
/// with and without each filter, is the one the definitions give. On SQLite the dashboard is counted by the definitions
/// themselves, so there the test only shows that path over the same cohort reaches every measure.
/// </summary>
public sealed class MeasuresInSqlTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    private static readonly DateTimeOffset Start = new(2019, 10, 1, 0, 0, 0, TimeSpan.Zero);
    private const string By = "aftercare.worker@example.org";

    // Instants the cohort's arrivals cluster on: clock changes in London, local midnight in summer and winter, year ends.
    private static readonly DateTimeOffset[] Edges =
    [
        new(2020, 3, 29, 0, 30, 0, TimeSpan.Zero), new(2020, 3, 29, 1, 30, 0, TimeSpan.Zero), new(2020, 3, 28, 23, 59, 59, TimeSpan.Zero),
        new(2020, 10, 25, 0, 30, 0, TimeSpan.Zero), new(2020, 10, 25, 1, 30, 0, TimeSpan.Zero), new(2020, 10, 24, 23, 30, 0, TimeSpan.Zero),
        new(2020, 6, 30, 23, 30, 0, TimeSpan.Zero), new(2020, 5, 31, 23, 0, 0, TimeSpan.Zero), new(2020, 5, 31, 22, 59, 59, TimeSpan.Zero),
        new(2019, 12, 31, 23, 30, 0, TimeSpan.Zero), new(2020, 12, 31, 23, 59, 59, TimeSpan.Zero), new(2021, 1, 1, 0, 0, 0, TimeSpan.Zero),
        new(2020, 2, 29, 12, 0, 0, TimeSpan.Zero), new(2020, 6, 30, 22, 59, 59, TimeSpan.Zero),
    ];

    private static readonly string[] SiteNames = ["Synthetic Differential Cedar", "Synthetic Differential Alder", "Synthetic Differential Birch"];

    private static readonly (DateOnly From, DateOnly To)[] Windows =
    [
        (new(2020, 1, 1), new(2020, 12, 31)),
        (new(2020, 3, 29), new(2020, 10, 25)),
        (new(2020, 6, 1), new(2020, 6, 30)),
        (new(2025, 1, 1), new(2026, 11, 30)), // the demo data's own months
    ];

    [Fact]
    public async Task Every_cell_of_every_breakdown_counted_in_the_database_is_the_one_the_definitions_give()
    {
        // Before any death is linked, neither path reports mortality as linked.
        foreach (var by in Enum.GetValues<Breakdown>())
        {
            var (inDatabase, byDefinition) = await BothWays(new MeasureFilter(Windows[^1].From, Windows[^1].To), by);
            Assert.False(inDatabase.MortalityLinked);
            AssertSame(byDefinition, inDatabase, $"demo data by {by}, no deaths linked");
        }

        var seed = Random.Shared.Next();
        var sites = await SeedCohort(seed);
        var filters = new List<Func<DateOnly, DateOnly, MeasureFilter>> { (f, t) => new(f, t) };
        filters.AddRange(sites.Select(s => (Func<DateOnly, DateOnly, MeasureFilter>)((f, t) => new(f, t, SiteId: s))));
        filters.AddRange(AgeBands.All.Append("No such band").Select(b => (Func<DateOnly, DateOnly, MeasureFilter>)((f, t) => new(f, t, AgeBand: b))));
        filters.AddRange(Enum.GetValues<Sex>().Select(x => (Func<DateOnly, DateOnly, MeasureFilter>)((f, t) => new(f, t, Sex: x))));
        filters.AddRange(Enum.GetValues<PriorPsychiatricHistory>().Select(h => (Func<DateOnly, DateOnly, MeasureFilter>)((f, t) => new(f, t, History: h))));
        filters.Add((f, t) => new(f, t, sites[1], "25 to 44", Sex.Female, PriorPsychiatricHistory.Yes));
        filters.Add((f, t) => new(f, t, null, "Under 18", null, PriorPsychiatricHistory.No));

        foreach (var (from, to) in Windows)
        {
            foreach (var filter in filters.Select(f => f(from, to)))
            {
                foreach (var by in Enum.GetValues<Breakdown>())
                {
                    var (inDatabase, byDefinition) = await BothWays(filter, by);
                    Assert.True(inDatabase.MortalityLinked);
                    AssertSame(byDefinition, inDatabase, $"seed {seed}, {filter} by {by}");
                }
            }
        }

        // The cohort reaches every measure: each has someone counted in it and someone not, over the whole year.
        var year = await app.Read(db => ServiceMeasures.Count(db, app.Services.GetRequiredService<LocalTime>(), new MeasureFilter(Windows[0].From, Windows[0].To), Breakdown.Site, TestContext.Current.CancellationToken));
        foreach (var measure in year.Measures.Where(m => m.IsRate))
        {
            Assert.True(measure.Numerators.Sum() > 0 && measure.Numerators.Sum() < measure.Denominators.Sum(), $"seed {seed}: {measure.Key} is {measure.Numerators.Sum()} of {measure.Denominators.Sum()}");
        }
    }

    private Task<(ServiceMeasures.Counted InDatabase, ServiceMeasures.Counted ByDefinition)> BothWays(MeasureFilter filter, Breakdown by) => app.Read(async db =>
    {
        var time = app.Services.GetRequiredService<LocalTime>();
        var ct = TestContext.Current.CancellationToken;
        return (await ServiceMeasures.Count(db, time, filter, by, ct), await ServiceMeasures.CountInMemory(db, time, filter, by, ct));
    });

    private static void AssertSame(ServiceMeasures.Counted expected, ServiceMeasures.Counted actual, string view)
    {
        Assert.True(expected.Parts.SequenceEqual(actual.Parts), $"{view}: parts {string.Join(", ", actual.Parts)}, expected {string.Join(", ", expected.Parts)}");
        Assert.Equal(expected.MortalityLinked, actual.MortalityLinked);
        Assert.Equal(expected.Measures.Select(m => m.Key), actual.Measures.Select(m => m.Key));
        foreach (var (want, got) in expected.Measures.Zip(actual.Measures))
        {
            Assert.True(want.Numerators.SequenceEqual(got.Numerators) && want.Denominators.SequenceEqual(got.Denominators),
                $"{view}: {want.Key} is {Cells(got)} in the database, {Cells(want)} by the definitions");
        }
    }

    private static string Cells(Domain.Measures.MeasureCounts m) => string.Join(" ", m.Numerators.Zip(m.Denominators, (n, d) => $"{n}/{d}"));

    /// <summary>Three synthetic sites (named out of the order they were made in) and about 300 synthetic people with what happened to them.</summary>
    private async Task<List<Guid>> SeedCohort(int seed)
    {
        var random = new Random(seed);
        var time = app.Services.GetRequiredService<LocalTime>();
        var settings = app.Services.GetRequiredService<AftercareSettings>();
        var now = AftercareApplication.Now;
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AftercareDbContext>();

        var sites = SiteNames.Select((name, i) => new Site(Guid.CreateVersion7(now.AddSeconds(i)), $"SYN-DIFF-{i}", name)).ToList();
        db.Sites.AddRange(sites);
        var known = (await db.Sites.Select(s => s.Id).ToListAsync()).Concat(sites.Select(s => s.Id)).ToList();
        var service = await db.Services.OrderBy(s => s.Code).FirstAsync();
        var pathway = settings.Pathways.Pathways[0];
        T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];
        DateTimeOffset Seconds(DateTimeOffset at) => new(at.Ticks - (at.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        void Set(object entity, string property, object? value) => db.Entry(entity).Property(property).CurrentValue = value;

        for (var n = 0; n < 300; n++)
        {
            var first = random.Next(5) == 0 ? Pick(Edges) : Seconds(Start.AddSeconds(random.NextDouble() * 560 * 86400));
            var arrivals = new List<DateTimeOffset> { first };
            for (var k = random.Next(4); k > 0; k--)
            {
                var last = arrivals[^1];
                arrivals.Add(random.Next(8) switch
                {
                    0 => last, // two presentations at the same instant
                    1 => last.AddDays(365),
                    2 => last.AddDays(365).AddSeconds(1),
                    3 => Pick(Edges),
                    _ => Seconds(last.AddSeconds(random.NextDouble() * 500 * 86400)),
                });
            }

            // Some birthdays fall on the local day of arrival, or the day after; some on 29 February.
            var firstDay = DateOnly.FromDateTime(time.ToLocal(first));
            var dob = random.Next(6) switch
            {
                0 => firstDay.AddYears(-random.Next(10, 80)),
                1 => firstDay.AddYears(-random.Next(10, 80)).AddDays(1),
                2 => new DateOnly(1996 + (4 * random.Next(4)), 2, 29),
                _ => new DateOnly(1930, 1, 1).AddDays(random.Next(85 * 365)),
            };
            if (dob > firstDay.AddDays(-1))
            {
                dob = firstDay.AddYears(-17);
            }

            var person = Person.Register(new PersonDetails("Synthetic", $"Differential {(char)('A' + (n % 26))}{n / 26}", dob,
                    Pick(Enum.GetValues<Sex>()), "07700 900000", $"synthetic{n}@example.org", ContactChannel.Phone,
                    "Synthetic Surgery (fictional)", Pick(Enum.GetValues<PriorPsychiatricHistory>())),
                [], now, DateOnly.FromDateTime(now.UtcDateTime)).Value;
            db.People.Add(person);

            foreach (var arrived in arrivals)
            {
                DateTimeOffset? assessed = random.Next(10) switch
                {
                    < 3 => null,
                    3 => arrived.AddHours(4),
                    4 => arrived.AddHours(4).AddSeconds(1),
                    5 => arrived.AddHours(-1),
                    _ => arrived.AddMinutes(random.Next(20, 30 * 60)),
                };
                var presentation = Presentation.Register(person.Id, dob, new PresentationDetails(arrived, Pick(sites).Id, [SelfHarmMethod.MedicationOrDrugs],
                    YesNoUnknown.Unknown, YesNoUnknown.Unknown, null, Disposition.Discharged, null), known, By, now).Value;
                db.Presentations.Add(presentation);
                Set(presentation, nameof(Presentation.PsychosocialAssessmentAt), assessed);
                if (random.Next(12) == 0)
                {
                    presentation.WithdrawAsEnteredInError(By, "Synthetic: recorded against the wrong person", now);
                }

                if (random.Next(2) == 0)
                {
                    var episodes = random.Next(25) == 0 ? 2 : 1;
                    for (var e = 0; e < episodes; e++)
                    {
                        var discharged = arrived.AddHours(random.Next(1, 30));
                        var episode = Episode.Enrol(person.Id, presentation.Id, arrived, discharged, pathway, settings.Pathways.Version, pathway, null,
                            (from, days) => time.DayAfter(from, days, settings.ContactTimeOfDay), By, discharged).Value;
                        db.Episodes.Add(episode);
                        // A quarter never reached; a quarter reached once only, so that the one contact on an edge is the first.
                        var mode = random.Next(4);
                        var once = random.Next(8);
                        foreach (var contact in episode.Contacts)
                        {
                            var isFirst = contact == episode.Contacts[0];
                            var (outcome, completed) = (mode switch { 0 => 11, 1 => isFirst ? once : 11, _ => random.Next(12) }) switch
                            {
                                0 => ((ContactOutcome?)ContactOutcome.Reached, (DateTimeOffset?)discharged.AddHours(48)),
                                1 => (ContactOutcome.Reached, discharged.AddHours(48).AddSeconds(1)),
                                2 => (ContactOutcome.Reached, discharged.AddDays(7)),
                                3 => (ContactOutcome.Reached, discharged.AddDays(30)),
                                4 => (ContactOutcome.Reached, discharged.AddDays(30).AddSeconds(1)),
                                5 => (ContactOutcome.Reached, discharged.AddHours(-2)),
                                6 => (ContactOutcome.NotReached, discharged.AddHours(5)),
                                7 => (ContactOutcome.Reached, null),
                                8 or 9 => (ContactOutcome.Reached, Seconds(discharged.AddSeconds(random.NextDouble() * 40 * 86400))),
                                _ => (null, null),
                            };
                            Set(contact, nameof(ScheduledContact.Outcome), outcome);
                            Set(contact, nameof(ScheduledContact.CompletedAt), completed);
                            Set(contact, nameof(ScheduledContact.Status), outcome is null ? ContactStatus.Due : ContactStatus.Done);
                        }
                    }
                }
            }

            // Safety plans completed around an arrival: before it the same day, after it, at the local day's edges, the next day; some drafts.
            for (var k = random.Next(3); k > 0; k--)
            {
                var arrived = Pick(arrivals);
                var endOfDay = time.EndOfToday(arrived);
                var completed = random.Next(7) switch
                {
                    0 => arrived.AddMinutes(-1),
                    1 => arrived,
                    2 => endOfDay.AddSeconds(-1),
                    3 => endOfDay,
                    4 => arrived.AddDays(1),
                    _ => arrived.AddMinutes(random.Next(1, 600)),
                };
                var plan = SafetyPlan.Start(person.Id, SafetyPlanContent.Empty, complete: false, By, completed).Value;
                db.SafetyPlans.Add(plan);
                Set(plan, nameof(SafetyPlan.Status), random.Next(6) == 0 ? DocumentStatus.Draft : DocumentStatus.Completed);
                Set(plan, nameof(SafetyPlan.CompletedAt), completed);
            }

            for (var k = random.Next(4) == 0 ? random.Next(1, 4) : 0; k > 0; k--)
            {
                var sent = random.Next(5) switch
                {
                    0 => new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero),
                    1 => new DateTimeOffset(2020, 12, 31, 23, 59, 59, TimeSpan.Zero),
                    _ => Seconds(first.AddSeconds(random.NextDouble() * 200 * 86400)),
                };
                var referral = Referral.Send(person.Id, service, "Synthetic referral for the measures test.", ServicePreference.NoPreference, settings.Handoffs, By, sent).Value;
                db.Referrals.Add(referral);
                Set(referral, nameof(Referral.Status), Pick(Enum.GetValues<ReferralStatus>()));
            }

            if (random.Next(6) == 0)
            {
                var arrivedOn = DateOnly.FromDateTime(first.UtcDateTime);
                var died = random.Next(5) switch
                {
                    0 => arrivedOn,
                    1 => arrivedOn.AddDays(365),
                    2 => arrivedOn.AddDays(366),
                    3 => arrivedOn.AddDays(-1),
                    _ => arrivedOn.AddDays(random.Next(400)),
                };
                db.Deaths.Add(Death.Record(person.Id, died, Pick(Enum.GetValues<DeathCause>()), "synthetic-deaths.csv", new string('0', 64), now));
            }
        }

        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return [.. sites.Select(s => s.Id)];
    }
}
