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
    public static async Task<string> Handle(AftercareDbContext db, TimeProvider clock, Actor actor, int suppressBelow, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(clock);
        var settings = new EvaluationSettings();
        var now = clock.GetUtcNow();
        var extracted = await ExtractCohort.Handle(db, now, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), settings, ct: ct);
        var result = EvaluateProgramme.Run(extracted.Rows);
        db.Audit(clock, actor, AuditAction.MeasuresViewed, AuditPurpose.Administration, entityId: "programme evaluation");
        await db.SaveChangesAsync(ct);
        return EvaluationReport.Body(result, new ReportContext("this service's record", now, settings, extracted, suppressBelow));
    }
}
