using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Measures;
using Aftercare.Domain.Audit;

namespace Aftercare.App.Evaluation;

/// <summary>
/// The programme evaluation of the whole record as the evaluation page shows it: extracted with a pseudonym key
/// made for this view and kept nowhere, evaluated, written as the report's HTML body with the dashboard's
/// small-number rule, and audited as a view of aggregates in the same use case (no page audits by itself).
/// </summary>
public static class ViewProgrammeEvaluation
{
    /// <param name="programmeStart">The configured programme start (Aftercare:Evaluation:ProgrammeStart, yyyy-MM) as written; null or empty when not configured.</param>
    /// <param name="zone">The service's time zone, for calendar months; UTC when null.</param>
    /// <param name="readFrom">Where the cohort and the months are read (a standby, <see cref="StaleReads"/>), or null for <paramref name="db"/>; the view is always audited on <paramref name="db"/>.</param>
    public static async Task<string> Handle(
        AftercareDbContext db, TimeProvider clock, Actor actor, int suppressBelow, CancellationToken ct, string? programmeStart = null, TimeZoneInfo? zone = null, AftercareDbContext? readFrom = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(clock);
        var settings = new EvaluationSettings();
        var now = clock.GetUtcNow();
        var read = readFrom ?? db;
        var extracted = await ExtractCohort.Handle(read, now, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), settings, ct: ct);
        var result = EvaluateProgramme.Run(extracted.Rows);
        var series = await MonthlySeries.Handle(read, now, zone ?? TimeZoneInfo.Utc, ct: ct);
        TimeSeriesResult timeSeries;
        if (string.IsNullOrWhiteSpace(programmeStart))
        {
            timeSeries = InterruptedTimeSeries.Run(series, null);
        }
        else if (InterruptedTimeSeries.TryParseStart(programmeStart, out var start, out var why))
        {
            timeSeries = InterruptedTimeSeries.Run(series, start);
        }
        else
        {
            // A misconfigured start is said on the page, not thrown: the rest of the evaluation still stands.
            timeSeries = InterruptedTimeSeries.Run(series, null) with { NotFitted = $"the configured programme start ({InterruptedTimeSeries.ProgrammeStartSetting}) {why}" };
        }

        db.Audit(clock, actor, AuditAction.MeasuresViewed, AuditPurpose.Administration, entityId: "programme evaluation");
        await db.SaveChangesAsync(ct);
        return EvaluationReport.Body(result, new ReportContext("this service's record", now, settings, extracted, suppressBelow, timeSeries));
    }
}
