using System.Globalization;
using System.Text;
using Aftercare.Access;
using Aftercare.App;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Measures;
using Aftercare.Domain.Audit;
using Aftercare.Hosting;

namespace Aftercare.Measures;

/// <summary>The dashboard as CSV: exactly what the page shows, suppressed the same way.</summary>
public static class MeasuresCsv
{
    public static IEndpointRouteBuilder MapMeasures(this IEndpointRouteBuilder app)
    {
        app.MapGet("/measures.csv", Export).RequireAuthorization(Policies.Aggregates).WithMetadata(new NoRecordAttribute());
        app.MapGet("/measures/evaluation", Evaluation).RequireAuthorization(Policies.Aggregates).WithMetadata(new NoRecordAttribute());
        return app;
    }

    /// <summary>
    /// The programme evaluation of the whole record, as the self-contained report `aftercare
    /// evaluate` writes (no script or style, so it passes the CSP). Pseudonyms use a key made for
    /// this request and kept nowhere; the page shows no ids anyway.
    /// </summary>
    public static async Task<IResult> Evaluation(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var settings = new App.Evaluation.EvaluationSettings();
        var extracted = await App.Evaluation.ExtractCohort.Handle(db, clock.GetUtcNow(), System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), settings, ct: ct);
        var result = App.Evaluation.EvaluateProgramme.Run(extracted.Rows);
        db.Audit(clock, context.User.ToActor(), AuditAction.MeasuresViewed, AuditPurpose.Administration, entityId: "programme evaluation");
        await db.SaveChangesAsync(ct);
        var html = App.Evaluation.EvaluationReport.Render(result, new App.Evaluation.ReportContext("this service's record", clock.GetUtcNow(), settings, extracted));
        return Results.Content(html, "text/html; charset=utf-8");
    }

    public static async Task<IResult> Export(
        [Microsoft.AspNetCore.Http.AsParameters] MeasuresQuery query, HttpContext context, AftercareDbContext db, TimeProvider clock, LocalTime time, MeasuresOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (filter, by, problems) = query.Parse(clock.GetUtcNow(), time);
        if (problems.Count > 0)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The filters need correcting.", detail: string.Join(" ", problems));
        }

        var report = await ServiceMeasures.Compute(db, time, filter, by, options.SuppressBelow, ct);
        db.Audit(clock, context.User.ToActor(), AuditAction.MeasuresExported, AuditPurpose.Administration, entityId: $"{filter.From:yyyy-MM}..{filter.To:yyyy-MM} by {by}");
        await db.SaveChangesAsync(ct);
        return Results.File(Encoding.UTF8.GetBytes(Write(report)), "text/csv; charset=utf-8", $"aftercare-measures-{filter.From:yyyy-MM}-to-{filter.To:yyyy-MM}.csv");
    }

    /// <summary>One row per measure and part: numerator, denominator and percentage, with "&lt;N" where suppressed.</summary>
    public static string Write(ServiceMeasures.Report report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var csv = new StringBuilder();
        csv.Append("group,measure,").Append(Quote(report.By.ToString().ToLowerInvariant())).Append(",numerator,denominator,percent\n");
        foreach (var measure in report.Measures)
        {
            foreach (var (part, cell) in report.Parts.Zip(measure.Parts).Append(("All", measure.Total)))
            {
                csv.Append(Quote(measure.Group)).Append(',').Append(Quote(measure.Name)).Append(',').Append(Quote(part)).Append(',')
                    .Append(cell.Numerator.ForCsv()).Append(',').Append(measure.IsRate ? cell.Denominator.ForCsv() : "").Append(',')
                    .Append(measure.IsRate && cell.Percent is { } p ? p.ToString("0.0", CultureInfo.InvariantCulture) : "").Append('\n');
            }
        }

        return csv.ToString();
    }

    // Quoted, and a leading =, +, - or @ neutralised so a spreadsheet never runs it as a formula.
    private static string Quote(string value) =>
        "\"" + (value.Length > 0 && "=+-@".Contains(value[0], StringComparison.Ordinal) ? "'" + value : value).Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
