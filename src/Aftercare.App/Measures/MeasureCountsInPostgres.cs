using System.Data.Common;
using Aftercare.App.Data;
using Aftercare.Domain.Documents;
using Aftercare.Domain.Measures;
using Aftercare.Domain.Mortality;
using Aftercare.Domain.People;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Referrals;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Aftercare.App.Measures;

/// <summary>
/// The service measures counted by PostgreSQL (issue 16): one statement derives, per presentation in the view, its
/// part and what each measure asks of it, and groups by part, so that only the counts leave the database. It is a
/// translation of <see cref="ServiceMeasureDefinitions.Count"/>, which stays the definition: MeasuresInSqlTests
/// keeps the two equal, cell by cell, on random cohorts with the edge cases below. Change one, change the other.
/// </summary>
public static class MeasureCountsInPostgres
{
    // How the statement reads the Domain's definitions:
    // - the view: presentations not entered in error, arriving from local midnight at the start of From to local midnight
    //   after To, at the site, of the sex and history, in the age band on the local day of arrival (in_view);
    // - a person's first presentation in the view: the earliest arrival among their presentations in the view, ties by id
    //   (the Domain path orders its rows the same way);
    // - a repeat: any earlier arrival not entered in error, anywhere and ever (before the period: the "earlier" people;
    //   inside it: the first arrival of the person from the period's start on);
    // - came back within 12 months: an arrival after this one and at most 365 × 24 hours later (the window reaches a
    //   year past the period for it). The next row's arrival answers it, in the window the other two already use; only
    //   when the next row arrived at the same instant (a tie) is the next later arrival looked up, in the index on the
    //   person's arrivals. A frame of its own (RANGE up to 8760 hours following) cost a second pass over every row:
    //   0.6 s of 4.9 at 1M (issue 16);
    // - a safety plan the same day: a completed (not draft) plan of the person, completed at or after arrival, on the
    //   local day of arrival;
    // - enrolled: the presentation has an episode (the first by id, should it have two); reached within 48 h, 7 and
    //   30 days: the episode's first reaching contact at most that long after its discharge;
    // - referrals: sent in the period, counted in the part of the person's first presentation in the view;
    // - deaths: a linked death of the person from the UTC day of arrival to 365 days after (suicide: suicide or
    //   undetermined intent).
    // The reaching outcome is written into the text (the enum's stored name, a constant of the code), not as a parameter,
    // so that a generic plan may read the partial index IX_Contacts_Reached as well.
    // Intervals are whole hours, which PostgreSQL adds exactly (days would follow the session's clock changes).
    // The people are a LEFT JOIN, the same rows as an inner one (a presentation's person is a required foreign key), so
    // that PostgreSQL leaves the join out when the view asks nothing of the person (no sex, history or age band): at 1M,
    // 0.4 to 0.7 s of the statement's 4 (issue 16, docs/performance.md). The presentations of the window are read in the
    // window's order from the partial covering index IX_Presentations_Measures, without a sort or a table read.
    private const string Statement = """
        WITH presented AS (
            SELECT p."Id", p."PersonId", p."ArrivedAt", p."SiteId", p."PsychosocialAssessmentAt" AS assessed_at,
                   x."DateOfBirth" AS born, x."Sex" AS sex, x."PriorPsychiatricHistory" AS history,
                   (p."ArrivedAt" AT TIME ZONE @zone)::date AS arrived_on
            FROM "Presentations" p LEFT JOIN "People" x ON x."Id" = p."PersonId"
            WHERE p."EnteredInErrorAt" IS NULL AND p."ArrivedAt" >= @from AND p."ArrivedAt" < @until
        ),
        aged AS (
            SELECT presented.*,
                   date_part('year', arrived_on)::int - date_part('year', born)::int
                     - CASE WHEN (date_part('month', arrived_on), date_part('day', arrived_on)) < (date_part('month', born), date_part('day', born)) THEN 1 ELSE 0 END AS age
            FROM presented
        ),
        viewed AS (
            SELECT aged.*, ("ArrivedAt" < @to /*view*/) AS in_view FROM aged
        ),
        ordered AS (
            SELECT viewed.*,
                   first_value("ArrivedAt") OVER by_arrival < "ArrivedAt" AS earlier_in_period,
                   count(*) FILTER (WHERE in_view) OVER by_arrival = 1 AS first_in_view,
                   lead("ArrivedAt") OVER by_arrival AS next_at
            FROM viewed
            WINDOW by_arrival AS (PARTITION BY "PersonId" ORDER BY "ArrivedAt", "Id" ROWS UNBOUNDED PRECEDING)
        ),
        earlier AS (
            SELECT DISTINCT b."PersonId" FROM "Presentations" b WHERE b."EnteredInErrorAt" IS NULL AND b."ArrivedAt" < @from
        ),
        episode AS (
            SELECT DISTINCT ON (e."PresentationId") e."PresentationId", e."Id", e."DischargedAt" FROM "Episodes" e ORDER BY e."PresentationId", e."Id"
        ),
        reached AS (
            SELECT c."EpisodeId", min(c."CompletedAt") AS first_at FROM "Contacts" c
            WHERE c."Outcome" = '/*reached*/' AND c."CompletedAt" IS NOT NULL GROUP BY c."EpisodeId"
        ),
        planned AS (
            SELECT s."PersonId", (s."CompletedAt" AT TIME ZONE @zone)::date AS completed_on, max(s."CompletedAt") AS last_at FROM "SafetyPlans" s
            WHERE s."Status" <> @draft AND s."CompletedAt" >= @from AND s."CompletedAt" < @plansUntil GROUP BY 1, 2
        ),
        referred AS (
            SELECT f."PersonId", count(*) AS sent, count(*) FILTER (WHERE f."Status" = ANY(@closed)) AS closed FROM "Referrals" f
            WHERE f."SentAt" >= @from AND f."SentAt" < @to GROUP BY f."PersonId"
        ),
        measured AS (
            SELECT /*part*/ AS part, o.first_in_view AS first, o.assessed_at, o."ArrivedAt",
                   CASE WHEN o.next_at > o."ArrivedAt" THEN o.next_at <= o."ArrivedAt" + interval '8760 hours'
                        WHEN o.next_at = o."ArrivedAt" THEN EXISTS (
                            SELECT 1 FROM "Presentations" q WHERE q."PersonId" = o."PersonId" AND q."EnteredInErrorAt" IS NULL
                            AND q."ArrivedAt" > o."ArrivedAt" AND q."ArrivedAt" <= o."ArrivedAt" + interval '8760 hours')
                        ELSE FALSE END AS came_back,
                   o.earlier_in_period OR earlier."PersonId" IS NOT NULL AS repeat,
                   planned.last_at >= o."ArrivedAt" AS planned_same_day,
                   episode."Id" IS NOT NULL AS enrolled, episode."DischargedAt", reached.first_at,
                   CASE WHEN o.first_in_view THEN referred.sent END AS sent, CASE WHEN o.first_in_view THEN referred.closed END AS closed,
                   d."DateOfDeath" AS died_on, d."Cause" = ANY(@suicide) AS suicide, (o."ArrivedAt" AT TIME ZONE 'UTC')::date AS arrived_utc
            FROM ordered o
            LEFT JOIN earlier ON earlier."PersonId" = o."PersonId"
            LEFT JOIN episode ON episode."PresentationId" = o."Id"
            LEFT JOIN reached ON reached."EpisodeId" = episode."Id"
            LEFT JOIN planned ON planned."PersonId" = o."PersonId" AND planned.completed_on = o.arrived_on
            LEFT JOIN referred ON referred."PersonId" = o."PersonId"
            LEFT JOIN "Deaths" d ON d."PersonId" = o."PersonId"
            WHERE o.in_view
        )
        SELECT part::text,
               count(*)::int,
               (count(*) FILTER (WHERE first))::int,
               (count(*) FILTER (WHERE repeat))::int,
               (count(*) FILTER (WHERE assessed_at IS NOT NULL))::int,
               (count(*) FILTER (WHERE assessed_at <= "ArrivedAt" + interval '4 hours'))::int,
               (count(*) FILTER (WHERE planned_same_day))::int,
               (count(*) FILTER (WHERE enrolled))::int,
               (count(*) FILTER (WHERE first_at <= "DischargedAt" + interval '48 hours'))::int,
               (count(*) FILTER (WHERE first_at <= "DischargedAt" + interval '168 hours'))::int,
               (count(*) FILTER (WHERE first_at <= "DischargedAt" + interval '720 hours'))::int,
               coalesce(sum(sent), 0)::int,
               coalesce(sum(closed), 0)::int,
               (count(*) FILTER (WHERE first AND came_back))::int,
               (count(*) FILTER (WHERE first AND died_on >= arrived_utc AND died_on <= arrived_utc + 365))::int,
               (count(*) FILTER (WHERE first AND died_on >= arrived_utc AND died_on <= arrived_utc + 365 AND suicide))::int
        FROM measured
        GROUP BY part
        """;

    private sealed record PartCounts(string Part, int[] Values);

    /// <summary>The raw counts of every measure per part, counted in the database; the same as <see cref="ServiceMeasures.CountInMemory"/>.</summary>
    public static async Task<ServiceMeasures.Counted> Count(AftercareDbContext db, LocalTime time, MeasureFilter filter, Breakdown by, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(filter);
        var (from, to) = ServiceMeasures.Window(time, filter);
        var (view, parameters) = View(filter);
        var sql = Statement.Replace("/*view*/", view, StringComparison.Ordinal).Replace("/*part*/", PartKey(by), StringComparison.Ordinal)
            .Replace("/*reached*/", nameof(ContactOutcome.Reached), StringComparison.Ordinal);
        parameters.AddRange(
        [
            new("zone", NpgsqlDbType.Text) { Value = ZoneName(time.Zone) },
            new("from", NpgsqlDbType.TimestampTz) { Value = from.ToUniversalTime() },
            new("to", NpgsqlDbType.TimestampTz) { Value = to.ToUniversalTime() },
            // The last arrival that can make one in the period "came back within 12 months".
            new("until", NpgsqlDbType.TimestampTz) { Value = to.ToUniversalTime().AddDays(365) },
            // A plan on the local day of an arrival in the period is completed before this (a local day is never 48 hours long).
            new("plansUntil", NpgsqlDbType.TimestampTz) { Value = to.ToUniversalTime().AddHours(48) },
            new("draft", NpgsqlDbType.Text) { Value = nameof(DocumentStatus.Draft) },
            new("closed", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = new[] { nameof(ReferralStatus.Attended), nameof(ReferralStatus.Declined), nameof(ReferralStatus.NotReached) } },
            new("suicide", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = new[] { nameof(DeathCause.Suicide), nameof(DeathCause.Undetermined) } },
        ]);

        var counted = await Read(db, sql, parameters, ct);
        var linked = await db.Deaths.AnyAsync(ct);
        var siteNames = await ServiceMeasures.SiteNames(db, ct);
        var parts = ServiceMeasures.Parts(filter, by, by == Breakdown.Site ? counted.Select(c => Guid.Parse(c.Part)) : [], siteNames);
        var partIndex = parts.Select((part, i) => (part, i)).ToDictionary(x => x.part, x => x.i, StringComparer.Ordinal);

        // The groups come back per key (a site's id, a month, an age in years); a part may gather several (ages into a band).
        var totals = new int[Columns][];
        for (var c = 0; c < Columns; c++)
        {
            totals[c] = new int[parts.Count];
        }

        foreach (var group in counted)
        {
            if (partIndex.TryGetValue(PartOf(by, group.Part), out var part))
            {
                for (var c = 0; c < Columns; c++)
                {
                    totals[c][part] += group.Values[c];
                }
            }
        }

        return new ServiceMeasures.Counted(ServiceMeasures.Labels(by, parts, siteNames), Measures(parts.Count, totals), linked);
    }

    private const int Columns = 15;

    private enum Column
    {
        Presentations,
        People,
        Repeats,
        Assessed,
        AssessedIn4Hours,
        PlannedSameDay,
        Enrolled,
        ReachedIn48Hours,
        ReachedIn7Days,
        ReachedIn30Days,
        ReferralsSent,
        ReferralsClosed,
        CameBack,
        Died,
        DiedBySuicide,
    }

    /// <summary>The Domain's measures, in its order and words, with the counts from the database.</summary>
    private static List<MeasureCounts> Measures(int partCount, int[][] totals)
    {
        int[] Of(Column c) => totals[(int)c];
        var (numerator, denominator) = (new Dictionary<string, Column>
        {
            ["presentations"] = Column.Presentations, ["people"] = Column.People, ["repeats"] = Column.Repeats, ["assessed"] = Column.Assessed,
            ["assessed-4h"] = Column.AssessedIn4Hours, ["safety-plan"] = Column.PlannedSameDay, ["first-48h"] = Column.ReachedIn48Hours,
            ["contact-7d"] = Column.ReachedIn7Days, ["contact-30d"] = Column.ReachedIn30Days, ["referrals-closed"] = Column.ReferralsClosed,
            ["repeat-12m"] = Column.CameBack, ["died-12m"] = Column.Died, ["suicide-12m"] = Column.DiedBySuicide,
        }, new Dictionary<string, Column>
        {
            ["first-48h"] = Column.Enrolled, ["contact-7d"] = Column.Enrolled, ["contact-30d"] = Column.Enrolled, ["referrals-closed"] = Column.ReferralsSent,
            ["repeat-12m"] = Column.People, ["died-12m"] = Column.People, ["suicide-12m"] = Column.People,
        });

        // The names, groups, explanations and order come from the definitions themselves, counted over nobody.
        var definitions = ServiceMeasureDefinitions.Count(new MeasureCohort([], [], [], [], [], [], []), partCount, _ => -1);
        return [.. definitions.Select(d => d with
        {
            Numerators = Of(numerator[d.Key]),
            Denominators = Of(denominator.GetValueOrDefault(d.Key, Column.Presentations)),
        })];
    }

    /// <summary>The view's conditions beyond the period, as SQL over parameters (never values in the text).</summary>
    private static (string Sql, List<NpgsqlParameter> Parameters) View(MeasureFilter filter)
    {
        var sql = new System.Text.StringBuilder();
        var parameters = new List<NpgsqlParameter>();
        if (filter.SiteId is { } site)
        {
            sql.Append(" AND \"SiteId\" = @site");
            parameters.Add(new("site", NpgsqlDbType.Uuid) { Value = site });
        }

        if (filter.Sex is { } sex)
        {
            sql.Append(" AND sex = @sex");
            parameters.Add(new("sex", NpgsqlDbType.Text) { Value = sex.ToString() });
        }

        if (filter.History is { } history)
        {
            sql.Append(" AND history = @history");
            parameters.Add(new("history", NpgsqlDbType.Text) { Value = history.ToString() });
        }

        if (filter.AgeBand is { } label)
        {
            if (Ages(label) is not { } ages)
            {
                sql.Append(" AND FALSE");
            }
            else
            {
                if (ages.From is { } youngest)
                {
                    sql.Append(" AND age >= @youngest");
                    parameters.Add(new("youngest", NpgsqlDbType.Integer) { Value = youngest });
                }

                if (ages.To is { } oldest)
                {
                    sql.Append(" AND age <= @oldest");
                    parameters.Add(new("oldest", NpgsqlDbType.Integer) { Value = oldest });
                }
            }
        }

        return (sql.ToString(), parameters);
    }

    /// <summary>
    /// The ages <see cref="AgeBand.Of(int)"/> puts in the band: from its start (the first band has no lower end) to
    /// the year before the next band starts (the last has no upper end).
    /// </summary>
    internal static (int? From, int? To)? Ages(string label)
    {
        var bands = AgeBand.All;
        for (var i = 0; i < bands.Count; i++)
        {
            if (bands[i].Label == label)
            {
                return (i == 0 ? null : bands[i].From, i == bands.Count - 1 ? null : bands[i + 1].From - 1);
            }
        }

        return null;
    }

    /// <summary>What a presentation is grouped by: typed in SQL (grouping a uuid or an integer is cheaper than text).</summary>
    private static string PartKey(Breakdown by) => by switch
    {
        Breakdown.Month => "date_part('year', o.arrived_on)::int * 100 + date_part('month', o.arrived_on)::int",
        Breakdown.Site => "o.\"SiteId\"",
        Breakdown.AgeBand => "o.age",
        Breakdown.Sex => "o.sex",
        _ => "o.history",
    };

    private static string PartOf(Breakdown by, string key) => by switch
    {
        Breakdown.Month => ServiceMeasures.MonthLabel(int.Parse(key, System.Globalization.CultureInfo.InvariantCulture) / 100, int.Parse(key, System.Globalization.CultureInfo.InvariantCulture) % 100),
        Breakdown.Site => Guid.Parse(key).ToString(),
        Breakdown.AgeBand => AgeBands.Of(int.Parse(key, System.Globalization.CultureInfo.InvariantCulture)),
        _ => key,
    };

    /// <summary>
    /// The zone's IANA name, which PostgreSQL's AT TIME ZONE knows (the same tz database .NET reads on Linux): the
    /// service's local days, as <see cref="LocalTime"/> computes them, clock changes included.
    /// </summary>
    private static string ZoneName(TimeZoneInfo zone) =>
        zone.HasIanaId ? zone.Id
        : TimeZoneInfo.TryConvertWindowsIdToIanaId(zone.Id, out var iana) ? iana
        : throw new InvalidOperationException($"The time zone {zone.Id} has no IANA name for PostgreSQL to use.");

    private static async Task<List<PartCounts>> Read(AftercareDbContext db, string sql, List<NpgsqlParameter> parameters, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.CommandTimeout = db.Database.GetCommandTimeout() ?? command.CommandTimeout;
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            command.Parameters.AddRange(parameters.ToArray());
            var groups = new List<PartCounts>();
            await using DbDataReader reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var values = new int[Columns];
                for (var c = 0; c < Columns; c++)
                {
                    values[c] = reader.GetInt32(c + 1);
                }

                groups.Add(new PartCounts(reader.GetString(0), values));
            }

            return groups;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
