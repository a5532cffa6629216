using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;

namespace Aftercare.App.Measures;

/// <summary>The dashboard's measures taken away as a file: computed as the page computes them, and the export audited.</summary>
public static class ExportMeasures
{
    public static async Task<ServiceMeasures.Report> Handle(
        AftercareDbContext db, TimeProvider clock, LocalTime time, Actor actor, MeasureFilter filter, Breakdown by, int threshold, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(filter);
        var report = await ServiceMeasures.Compute(db, time, filter, by, threshold, ct);
        db.Audit(clock, actor, AuditAction.MeasuresExported, AuditPurpose.Administration, entityId: $"{filter.From:yyyy-MM}..{filter.To:yyyy-MM} by {by}");
        await db.SaveChangesAsync(ct);
        return report;
    }
}
