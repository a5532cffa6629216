using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;

namespace Aftercare.App.Measures;

/// <summary>
/// The service measures for a period and the people chosen, aggregates only: computing them is audited
/// (who looked at which period, by what), in the same use case, so no page or endpoint audits by itself.
/// </summary>
public static class ViewServiceMeasures
{
    public sealed record Query(MeasureFilter Filter, Breakdown By, int SuppressBelow);

    /// <summary>The report as the measures page shows it, audited as viewed.</summary>
    /// <param name="readFrom">Where the counts are read (a standby, <see cref="StaleReads"/>), or null for <paramref name="db"/>; the audit is always written to <paramref name="db"/>.</param>
    public static Task<ServiceMeasures.Report> Handle(AftercareDbContext db, TimeProvider clock, LocalTime time, Actor actor, Query query, CancellationToken ct, AftercareDbContext? readFrom = null) =>
        Audited(db, clock, time, actor, query, AuditAction.MeasuresViewed, readFrom, ct);

    /// <summary>The report as it is downloaded (CSV), audited as exported.</summary>
    public static Task<ServiceMeasures.Report> Export(AftercareDbContext db, TimeProvider clock, LocalTime time, Actor actor, Query query, CancellationToken ct, AftercareDbContext? readFrom = null) =>
        Audited(db, clock, time, actor, query, AuditAction.MeasuresExported, readFrom, ct);

    private static async Task<ServiceMeasures.Report> Audited(
        AftercareDbContext db, TimeProvider clock, LocalTime time, Actor actor, Query query, AuditAction action, AftercareDbContext? readFrom, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(query);
        var report = await ServiceMeasures.Compute(readFrom ?? db, time, query.Filter, query.By, query.SuppressBelow, ct);
        db.Audit(clock, actor, action, AuditPurpose.Administration, entityId: $"{query.Filter.From:yyyy-MM}..{query.Filter.To:yyyy-MM} by {query.By}");
        await db.SaveChangesAsync(ct);
        return report;
    }
}
