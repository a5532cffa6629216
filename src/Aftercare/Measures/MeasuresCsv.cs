using System.Globalization;
using System.Text;
using Aftercare.Access;
using Aftercare.App;
using Aftercare.App.Data;
using Aftercare.App.Measures;
using Aftercare.Hosting;

namespace Aftercare.Measures;

/// <summary>The dashboard as CSV: exactly what the page shows, suppressed the same way.</summary>
public static class MeasuresCsv
{
    public static IEndpointRouteBuilder MapMeasures(this IEndpointRouteBuilder app)
    {
        app.MapGet("/measures.csv", Export).RequireAuthorization(Policies.Aggregates).WithMetadata(new NoRecordAttribute());
        return app;
    }

    public static async Task<IResult> Export(
        [Microsoft.AspNetCore.Http.AsParameters] MeasuresQuery query, HttpContext context, AftercareDbContext db, StaleReads stale, TimeProvider clock, LocalTime time, MeasuresOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (filter, by, problems) = query.Parse(clock.GetUtcNow(), time);
        if (problems.Count > 0)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The filters need correcting.", detail: string.Join(" ", problems));
        }

        // Counted on the standby when there is one; the export is audited on the primary.
        await using var standby = stale.Open();
        var report = await ViewServiceMeasures.Export(db, clock, time, context.User.ToActor(), new(filter, by, options.SuppressBelow), ct, standby);
        return Results.File(Encoding.UTF8.GetBytes(Write(report)), "text/csv; charset=utf-8", $"aftercare-measures-{filter.From:yyyy-MM}-to-{filter.To:yyyy-MM}.csv");
    }

    /// <summary>
    /// One row per measure and part: numerator, denominator and percentage, with "&lt;5" where a count
    /// is small and "&gt;=5" where it is 5 or more but hidden so that a small number cannot be worked
    /// out; the note column says which, in words, on every row that hides something.
    /// </summary>
    public static string Write(ServiceMeasures.Report report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var csv = new StringBuilder();
        csv.Append("group,measure,").Append(Csv.Text(report.By.ToString().ToLowerInvariant(), quote: true)).Append(",numerator,denominator,percent,note\n");
        foreach (var measure in report.Measures)
        {
            foreach (var (part, cell) in report.Parts.Zip(measure.Parts).Append(("All", measure.Total)))
            {
                csv.Append(Csv.Text(measure.Group, quote: true)).Append(',').Append(Csv.Text(measure.Name, quote: true)).Append(',').Append(Csv.Text(part, quote: true)).Append(',')
                    .Append(cell.Numerator.ForCsv()).Append(',').Append(measure.IsRate ? cell.Denominator.ForCsv() : "").Append(',')
                    .Append(measure.IsRate && cell.Percent is { } p ? p.ToString("0.0", CultureInfo.InvariantCulture) : "").Append(',')
                    .Append(Csv.Text(Note(cell.Numerator, measure.IsRate ? cell.Denominator : null), quote: true)).Append('\n');
            }
        }

        return csv.ToString();
    }

    /// <summary>The legend, on the row it explains: what each hidden count is and why it is hidden.</summary>
    public static string Note(Domain.Measures.Shown numerator, Domain.Measures.Shown? denominator)
    {
        static string Say(string which, Domain.Measures.Shown count) => $"{which} {count.ForCsv()}: {count.Label}, {count.Reason}";
        var notes = new List<string>();
        if (numerator.Suppressed)
        {
            notes.Add(Say("numerator", numerator));
        }

        if (denominator is { Suppressed: true } d)
        {
            notes.Add(Say("denominator", d));
        }

        return string.Join("; ", notes);
    }
}
