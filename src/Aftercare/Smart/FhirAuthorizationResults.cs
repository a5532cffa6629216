using Aftercare.App;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Aftercare.Fhir;
using Aftercare.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Aftercare.Smart;

/// <summary>
/// Under /fhir a refusal is an OperationOutcome, and it is audited: who was turned away from what
/// (issue #5: "a token without the scope gets 403 and an audit event"). Elsewhere, the default.
/// </summary>
public sealed class FhirAuthorizationResults(AftercareDbContext db, TimeProvider clock) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async System.Threading.Tasks.Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        if (!context.Request.Path.StartsWithSegments(FhirRoutes.Base) || authorizeResult.Succeeded)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        var signedIn = context.User.Identity?.IsAuthenticated == true;
        var actor = signedIn ? context.User.ToActor() : new Actor("", "(no valid credentials)", []);
        var what = $"{context.Request.Method} {context.Request.Path}";
        db.Audit(clock, actor, AuditAction.FhirRefused, AuditPurpose.Security, null, what);
        await db.SaveChangesAsync(context.RequestAborted);
        var result = signedIn
            ? Outcomes.Forbidden(
                "Your role or your token's scopes do not allow this. Reads need system/*.read (or a direct-care role); intake needs system/*.write and a clinician or aftercare-worker role.")
            : Outcomes.Unauthenticated(
                "Sign in, or send a SMART backend-services access token (see /.well-known/smart-configuration).");
        await result.ExecuteAsync(context);
    }
}
