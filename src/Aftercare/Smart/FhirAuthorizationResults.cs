using Aftercare.App;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Aftercare.Fhir;
using Aftercare.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization.Policy;
using OpenIddict.Validation.AspNetCore;

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
        if (await Challenge(context, signedIn) is { } challenge)
        {
            context.Response.Headers.WWWAuthenticate = challenge;
        }

        var result = signedIn
            ? Outcomes.Forbidden(
                $"Your role or your token's scopes do not allow this ({SmartScopes.Describe(context.Request)}). A token needs a scope for it, e.g. patient/, user/ or system/ with the type (or *) and the permission (v2 c r u d s, or v1 read, write); intake needs create on Patient, Encounter and Condition and a clinician or aftercare-worker role.")
            : Outcomes.Unauthenticated(
                "Sign in, or send a SMART backend-services access token (see /.well-known/smart-configuration).");
        await result.ExecuteAsync(context);
    }

    /// <summary>
    /// RFC 6750 section 3: every refusal names the Bearer scheme and the FHIR base as its realm. A token
    /// that was sent and refused (expired, forged, meant for another audience) is <c>invalid_token</c>
    /// with OpenIddict's reason; a token without the scope is <c>insufficient_scope</c>; a request
    /// with no token at all gets no error code, as section 3.1 says. A signed-in person refused is no
    /// matter for a Bearer challenge.
    /// </summary>
    private static async Task<string?> Challenge(HttpContext context, bool signedIn)
    {
        var realm = $"Bearer realm=\"{Quoted(context.RequestServices.GetRequiredService<PublicAddress>().For(FhirRoutes.Base))}\"";
        if (signedIn)
        {
            return !SmartScopes.ViaToken(context.User) ? null : $"{realm}, error=\"insufficient_scope\"";
        }

        if (!context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return realm;
        }

        var token = await context.AuthenticateAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
        var description = token.Properties?.Items.TryGetValue(OpenIddictValidationAspNetCoreConstants.Properties.ErrorDescription, out var d) == true ? d : null;
        return $"{realm}, error=\"invalid_token\", error_description=\"{Quoted(description ?? "The access token is not valid here.")}\"";
    }

    /// <summary>RFC 7230 quoted-string: no quote or backslash unescaped, nothing outside printable ASCII.</summary>
    private static string Quoted(string value) =>
        new([.. value.Where(c => c is >= ' ' and <= '~').SelectMany(c => c is '"' or '\\' ? new[] { '\\', c } : [c])]);
}
