using Aftercare.App.Access;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Aftercare.Hosting;

namespace Aftercare.Access;

/// <summary>
/// Marks a page or endpoint as showing one person's record, and names the route value that leads
/// to it. <see cref="NeedToKnow"/> checks every such request, whatever the menu shows.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true)]
public sealed class RecordOfAttribute(RecordKind kind, string routeValue) : Attribute
{
    public RecordKind Kind { get; } = kind;

    public string RouteValue { get; } = routeValue;
}

/// <summary>
/// Marks a page or endpoint that shows no one's record (or lists only what the user may open), so
/// that the authorisation-matrix test knows it was considered.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false)]
public sealed class NoRecordAttribute : Attribute;

/// <summary>
/// Marks endpoints (FHIR) that check need-to-know on what they answer: every person in the answer,
/// in one place (Fhir/FhirAccess.cs), because a search names its people only once it has run.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false)]
public sealed class RecordCheckedOnAnswerAttribute : Attribute;

/// <summary>
/// Need-to-know, enforced once for every page and endpoint marked <see cref="RecordOfAttribute"/>:
/// the care team passes; someone who broke the glass passes and each opening is audited with its
/// purpose; anyone else is refused (a page offers to break the glass), and the refusal is audited.
/// </summary>
public static class NeedToKnow
{
    public static string RestrictedPage(Guid personId) => $"/people/{personId}/restricted";

    /// <summary>Where this request's emergency access (a BreakGlassGrant) is kept for the page to show.</summary>
    public const string EmergencyAccessKey = "aftercare:emergency-access";

    public static IApplicationBuilder UseNeedToKnow(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        // A page with several routes names each route's id; the one in this request's route counts.
        var record = context.GetEndpoint()?.Metadata.GetOrderedMetadata<RecordOfAttribute>().FirstOrDefault(r => context.GetRouteValue(r.RouteValue) is not null);
        if (record is null || context.User.Identity?.IsAuthenticated != true
            || !Guid.TryParse(context.GetRouteValue(record.RouteValue)?.ToString(), out var id))
        {
            await next(context);
            return;
        }

        var db = context.RequestServices.GetRequiredService<AftercareDbContext>();
        var clock = context.RequestServices.GetRequiredService<TimeProvider>();
        if (await RecordAccess.OwnerAsync(db, record.Kind, id, context.RequestAborted) is not { } personId)
        {
            await next(context);
            return;
        }

        var actor = context.User.ToActor();
        var relationship = await RecordAccess.CheckAsync(db, actor.UserId, personId, clock.GetUtcNow(), context.RequestAborted);
        if (relationship == Relationship.CareTeam)
        {
            await next(context);
            return;
        }

        var what = $"{record.Kind} {id}";
        if (relationship == Relationship.BreakGlass)
        {
            db.Audit(clock, actor, AuditAction.BreakGlassAccess, AuditPurpose.EmergencyAccess, personId, what);
            await db.SaveChangesAsync(context.RequestAborted);
            db.ChangeTracker.Clear();
            // The layout says so on every page of the record, with when it ends (EmergencyAccessBanner).
            if (await RecordAccess.OpenGrantAsync(db, actor.UserId, personId, clock.GetUtcNow(), context.RequestAborted) is { } grant)
            {
                context.Items[EmergencyAccessKey] = grant;
            }

            await next(context);
            return;
        }

        db.Audit(clock, actor, AuditAction.RecordRefused, AuditPurpose.Security, personId, what);
        await db.SaveChangesAsync(context.RequestAborted);
        db.ChangeTracker.Clear();
        if (context.Request.Path.StartsWithSegments("/api") || !HttpMethods.IsGet(context.Request.Method) || context.Request.Path.Value!.EndsWith("/pdf", StringComparison.Ordinal))
        {
            await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "This record is held by another care team.",
                detail: "Records are shared on a need-to-know basis. In an emergency, break the glass from the record's page.").ExecuteAsync(context);
            return;
        }

        context.Response.Redirect(RestrictedPage(personId));
    });
}
