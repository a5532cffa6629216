using System.Globalization;
using Aftercare.App;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Documents;
using Aftercare.App.Plans;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Documents;
using Aftercare.Domain.Plans;
using Aftercare.Hosting;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Task = System.Threading.Tasks.Task;

namespace Aftercare.Fhir;

/// <summary>
/// Safety plans written through FHIR: create (POST CarePlan) and version-aware update (PUT
/// CarePlan/{id} with If-Match). The same use case as the page saves them, so the same rules hold:
/// a completed plan is amended only with a reason, and a save based on an older version is refused
/// (412) and changes nothing.
/// </summary>
public static class PlanWrites
{
    public static async Task<IResult> Create(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var read = await ReadPlan(context, db, clock, ct);
        if (read.Refusal is { } refused)
        {
            return refused;
        }

        return await Save(context, db, clock, read.Write!, null, 0, ct);
    }

    public static async Task<IResult> Update(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var existing = Guid.TryParse(id, out var g) ? await db.SafetyPlans.AsNoTracking().FirstOrDefaultAsync(p => p.Id == g, ct) : null;
        if (existing is null)
        {
            // Need-to-know comes before anything else is said about the plan: outside the record,
            // a care plan (405) and no plan (404) must read the same (issue 17).
            if (await db.CarePlans.AsNoTracking().Where(p => p.Id == g).Select(p => (Guid?)p.PersonId).FirstOrDefaultAsync(ct) is not { } owner)
            {
                return Outcomes.NotFound("CarePlan", id);
            }

            await FhirApi.CheckAccess(db, clock, context, [owner], AuditPurpose.DirectCare, ct);
            return Outcomes.Fail(StatusCodes.Status405MethodNotAllowed, OperationOutcome.IssueType.NotSupported, "Care plans are agreed with the person on their page; only safety plans are updated through FHIR.");
        }

        // Before If-Match: a 412 names the current version, which only the care team may learn.
        await FhirApi.CheckAccess(db, clock, context, [existing.PersonId], AuditPurpose.DirectCare, ct);

        if (IfMatch(context) is not { } basedOn)
        {
            return Outcomes.Fail(StatusCodes.Status412PreconditionFailed, OperationOutcome.IssueType.Conflict,
                $"Send If-Match: W/\"{existing.Version}\" with the version you read, so that nobody's changes are overwritten.");
        }

        var read = await ReadPlan(context, db, clock, ct);
        if (read.Refusal is { } refused)
        {
            return refused;
        }

        if (read.Write!.PersonId != existing.PersonId)
        {
            return Outcomes.Fail(StatusCodes.Status422UnprocessableEntity, OperationOutcome.IssueType.BusinessRule, "A safety plan cannot be moved to another person.", "CarePlan.subject");
        }

        return await Save(context, db, clock, read.Write, existing.Id, basedOn, ct);
    }

    private static async Task<(PlanMapping.SafetyPlanWrite? Write, IResult? Refusal)> ReadPlan(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var parsed = FhirJson.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync(ct));
        if (!parsed.IsSuccess)
        {
            return (null, Outcomes.Invalid(parsed.Errors, StatusCodes.Status400BadRequest));
        }

        if (RiskRule.Refusal(parsed.Value) is { } risk)
        {
            await FhirApi.Audit(db, clock, context, AuditAction.FhirRefused, [], "risk label refused", ct);
            return (null, risk);
        }

        if (parsed.Value is not Hl7.Fhir.Model.CarePlan plan)
        {
            return (null, Outcomes.Fail(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.Invalid, $"The body is a {parsed.Value.TypeName}, not a CarePlan."));
        }

        var write = PlanMapping.FromSafetyPlan(plan);
        return write.IsSuccess ? (write.Value, null) : (null, Outcomes.Invalid(write.Errors));
    }

    private static async Task<IResult> Save(HttpContext context, AftercareDbContext db, TimeProvider clock, PlanMapping.SafetyPlanWrite write, Guid? planId, int basedOn, CancellationToken ct)
    {
        if (await db.People.AnyAsync(p => p.Id == write.PersonId, ct)
            && (await FhirApi.CheckAccess(db, clock, context, [write.PersonId], AuditPurpose.DirectCare, ct)).Count > 0)
        {
            db.Audit(clock, context.User.ToActor(), AuditAction.BreakGlassAccess, AuditPurpose.EmergencyAccess, write.PersonId, "fhir write CarePlan");
        }

        var outcome = await SaveSafetyPlan.Handle(db, clock, context.User.ToActor(),
            new SaveSafetyPlan.Command(write.PersonId, planId, basedOn, write.Content, write.Complete, write.AmendmentReason), ct);
        switch (outcome)
        {
            case Saved<SafetyPlanContent> saved:
                var plan = await db.SafetyPlans.AsNoTracking().Include(p => p.Revisions).FirstAsync(p => p.Id == saved.Id, ct);
                var resource = PlanMapping.ToSafetyPlan(plan.Id, plan.PersonId, plan.Revisions.Single(r => r.Version == saved.Version));
                var location = $"{context.Request.Scheme}://{context.Request.Host}{FhirRoutes.Base}/CarePlan/{plan.Id}/_history/{saved.Version}";
                return FhirJson.Ok(resource, planId is null ? StatusCodes.Status201Created : StatusCodes.Status200OK, location);
            case Stale<SafetyPlanContent> stale:
                return Outcomes.Fail(StatusCodes.Status412PreconditionFailed, OperationOutcome.IssueType.Conflict, stale.Edit.Message);
            case Invalid<SafetyPlanContent> invalid:
                return Outcomes.Invalid(invalid.Errors);
            default:
                return Outcomes.Fail(StatusCodes.Status404NotFound, OperationOutcome.IssueType.NotFound, $"Patient/{write.PersonId} was not found.", "CarePlan.subject");
        }
    }

    /// <summary>The version in <c>If-Match: W/"n"</c>, or null when there is none or it is not a version.</summary>
    private static int? IfMatch(HttpContext context)
    {
        var value = context.Request.Headers.IfMatch.ToString().Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }

        return int.TryParse(value.Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : null;
    }
}
