using System.Globalization;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Mortality;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Evaluation;

/// <summary>One calendar month of the whole service: what was recorded in it.</summary>
/// <param name="Month">The month's first day.</param>
/// <param name="RepeatPresentations">Presentations by someone who had presented before (an earlier arrival in the record).</param>
/// <param name="DeathsAny">Deaths from any cause in the month; null when mortality data are not linked.</param>
/// <param name="DeathsSuicide">Deaths by suicide or of undetermined intent (as the cohort counts them); null when not linked.</param>
public sealed record SeriesMonth(DateOnly Month, int Presentations, int RepeatPresentations, int? DeathsAny, int? DeathsSuicide)
{
    /// <summary>The month as the CSV and the report write it: yyyy-MM.</summary>
    public string Label => Month.ToString("yyyy-MM", CultureInfo.InvariantCulture);
}

/// <summary>A service's monthly counts, in order, one row per calendar month with no gaps. It describes a service, never a person.</summary>
public sealed record ServiceSeries(IReadOnlyList<SeriesMonth> Months, bool MortalityLinked);

/// <summary>
/// Issue 15: the monthly series for the interrupted time series, from the record. Months are calendar months
/// in the service's time zone (Aftercare:TimeZone), from the month of the first presentation to the last
/// complete month before now (the month now is in is not yet complete, and a part month would look like a
/// fall). Presentations entered in error are not counted, as in the cohort. A death is counted in the month of
/// its date (a date has no time of day, so it has no time zone); each person's first linked death only.
/// </summary>
public static class MonthlySeries
{
    public static readonly string[] Columns = ["month", "presentations", "repeat_presentations", "deaths_any", "deaths_suicide"];

    public static async Task<ServiceSeries> Handle(AftercareDbContext db, DateTimeOffset now, TimeZoneInfo zone, ExtractCohort.DeathSource? deaths = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var presentations = await db.Presentations.AsNoTracking().Where(p => p.EnteredInErrorAt == null)
            .Select(p => new ExtractCohort.PresentationFacts(p.Id, p.PersonId, p.ArrivedAt)).ToListAsync(ct);
        var linked = await (deaths ?? ExtractCohort.LinkedInDatabase)(db, ct);
        return Build(presentations, linked, now, zone);
    }

    /// <summary>The series from plain facts (no database), so the counting can be checked by hand.</summary>
    /// <param name="deaths">Linked deaths; null when mortality data are not linked (the death columns are then empty).</param>
    public static ServiceSeries Build(IReadOnlyList<ExtractCohort.PresentationFacts> presentations, IReadOnlyList<LinkedDeath>? deaths, DateTimeOffset now, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(presentations);
        ArgumentNullException.ThrowIfNull(zone);
        DateOnly MonthOf(DateTimeOffset at)
        {
            var local = TimeZoneInfo.ConvertTime(at, zone);
            return new DateOnly(local.Year, local.Month, 1);
        }

        var current = MonthOf(now);
        if (presentations.Count == 0)
        {
            return new ServiceSeries([], deaths is not null);
        }

        var first = presentations.Min(p => MonthOf(p.ArrivedAt));
        var months = new List<DateOnly>();
        for (var m = first; m < current; m = m.AddMonths(1))
        {
            months.Add(m);
        }

        var index = months.Select((m, i) => (m, i)).ToDictionary(x => x.m, x => x.i);
        var counts = new int[months.Count];
        var repeats = new int[months.Count];
        foreach (var own in presentations.GroupBy(p => p.PersonId))
        {
            var earliest = own.Min(p => p.ArrivedAt);
            foreach (var p in own)
            {
                if (!index.TryGetValue(MonthOf(p.ArrivedAt), out var i))
                {
                    continue;
                }

                counts[i]++;
                if (p.ArrivedAt > earliest)
                {
                    repeats[i]++;
                }
            }
        }

        int[]? any = null, suicide = null;
        if (deaths is not null)
        {
            any = new int[months.Count];
            suicide = new int[months.Count];
            foreach (var death in deaths.GroupBy(d => d.PersonId).Select(g => g.OrderBy(d => d.Date).First()))
            {
                if (index.TryGetValue(new DateOnly(death.Date.Year, death.Date.Month, 1), out var i))
                {
                    any[i]++;
                    if (death.Cause is DeathCause.Suicide or DeathCause.Undetermined)
                    {
                        suicide[i]++;
                    }
                }
            }
        }

        return new ServiceSeries(
            [.. months.Select((m, i) => new SeriesMonth(m, counts[i], repeats[i], any?[i], suicide?[i]))],
            deaths is not null);
    }

    /// <summary>The series as CSV (columns in docs/evaluation.md); the death columns are empty (NA in R) when mortality is not linked.</summary>
    public static async Task WriteCsvAsync(TextWriter writer, ServiceSeries series, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(series);
        await writer.WriteLineAsync(string.Join(',', Columns));
        foreach (var m in series.Months)
        {
            ct.ThrowIfCancellationRequested();
            await writer.WriteLineAsync(string.Join(',',
                m.Label,
                m.Presentations.ToString(CultureInfo.InvariantCulture),
                m.RepeatPresentations.ToString(CultureInfo.InvariantCulture),
                m.DeathsAny?.ToString(CultureInfo.InvariantCulture) ?? "",
                m.DeathsSuicide?.ToString(CultureInfo.InvariantCulture) ?? ""));
        }
    }

    /// <summary>Reads and checks a series file; every problem comes back at once, each with its line number.</summary>
    public static async Task<Result<ServiceSeries>> ReadCsvAsync(TextReader reader, int maxErrors = 50, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var header = await reader.ReadLineAsync(ct);
        if (header is null)
        {
            return Result<ServiceSeries>.Failure("series", "The file is empty: expected a header line with the columns " + string.Join(",", Columns) + ".");
        }

        var names = Csv.Cells(header.TrimStart('\uFEFF'));
        var at = Columns.ToDictionary(c => c, c => names.FindIndex(n => string.Equals(n.Trim(), c, StringComparison.OrdinalIgnoreCase)));
        var missing = at.Where(kv => kv.Value < 0).Select(kv => kv.Key).ToList();
        if (missing.Count > 0)
        {
            return Result<ServiceSeries>.Failure("series", $"Line 1: the header lacks the column(s) {string.Join(", ", missing)}. Expected: {string.Join(",", Columns)}.");
        }

        var errors = new Errors();
        var months = new List<SeriesMonth>();
        bool? linked = null;
        var number = 1;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            var cells = Csv.Cells(line);
            string Cell(string column) => at[column] < cells.Count ? cells[at[column]].Trim() : "";
            var before = errors.List.Count;
            void Problem(string message)
            {
                if (errors.List.Count < maxErrors)
                {
                    errors.Add("series", $"Line {number}: {message}");
                }
            }

            DateOnly? month = DateOnly.TryParseExact(Cell("month"), "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) ? parsed : null;
            if (month is null)
            {
                Problem($"month is \"{Cell("month")}\"; expected a month as yyyy-MM.");
            }
            else if (months.Count > 0 && month != months[^1].Month.AddMonths(1))
            {
                Problem($"month {Cell("month")} does not follow {months[^1].Label}: the months must run in order with none missing.");
            }

            int? Count(string column)
            {
                if (int.TryParse(Cell(column), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    return n;
                }

                Problem($"{column} is \"{Cell(column)}\"; expected a whole number, 0 or more.");
                return null;
            }

            var presentations = Count("presentations");
            var repeats = Count("repeat_presentations");
            if (repeats > presentations)
            {
                Problem("repeat_presentations is more than presentations: a repeat presentation is a presentation.");
            }

            int? any = null, suicide = null;
            if (Cell("deaths_any") is "" or "NA" && Cell("deaths_suicide") is "" or "NA")
            {
                if (linked == true)
                {
                    Problem("deaths_any and deaths_suicide are empty, but earlier rows have them: mortality is linked for every month or none.");
                }

                linked ??= false;
            }
            else
            {
                if (linked == false)
                {
                    Problem("this row has death columns, but earlier rows leave them empty: mortality is linked for every month or none.");
                }

                linked ??= true;
                any = Count("deaths_any");
                suicide = Count("deaths_suicide");
                if (suicide > any)
                {
                    Problem("deaths_suicide is more than deaths_any: a death by suicide is a death.");
                }
            }

            if (errors.List.Count == before && month is { } m)
            {
                months.Add(new SeriesMonth(m, presentations!.Value, repeats!.Value, any, suicide));
            }
        }

        if (!errors.Any && months.Count == 0)
        {
            errors.Add("series", "The file has a header but no months.");
        }

        return errors.Any ? Result<ServiceSeries>.Failure(errors.List) : new ServiceSeries(months, linked == true);
    }
}
