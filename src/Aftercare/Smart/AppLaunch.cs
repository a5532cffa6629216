using System.Security.Claims;
using Aftercare.App.Access;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Aftercare.Domain.People;
using Aftercare.Domain.Users;
using Aftercare.Hosting;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Aftercare.Smart;

/// <summary>
/// SMART App Launch v2, standalone launch: an app sends the user to /connect/authorize (authorization
/// code with PKCE). The user signs in as usual, sees what the app asks for, picks the person when the
/// app asks for a patient context (launch/patient) and allows or denies. The token then carries the
/// user's own roles, the scopes granted and, for patient/* scopes, the one person it is limited to.
/// </summary>
public static class AppLaunch
{
    public const string AuthorizePath = "/connect/authorize";
    public const string ConsentPage = "/apps/authorize";
    public const string PatientClaim = "patient";

    /// <summary>GET shows the consent page (after sign-in); POST is the user's answer from it.</summary>
    public static async Task<IResult> Authorize(
        HttpContext context, IAntiforgery antiforgery, UserManager<AftercareUser> users,
        AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var session = await context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        if (!session.Succeeded || session.Principal.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId)
        {
            return Results.Challenge(new AuthenticationProperties { RedirectUri = context.Request.PathBase + context.Request.Path + QueryOf(request) }, [IdentityConstants.ApplicationScheme]);
        }

        var user = await users.FindByIdAsync(userId);
        var roles = user is null ? [] : await users.GetRolesAsync(user);
        if (user is null || !roles.Any(r => Roles.DirectCare.Split(',').Contains(r)))
        {
            return Refuse(Errors.AccessDenied, "Apps are opened by people who give direct care (clinician, aftercare worker, therapist).");
        }

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            return Results.Redirect(ConsentPage + QueryOf(request));
        }

        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Results.BadRequest();
        }

        var form = await context.Request.ReadFormAsync(ct);
        var actor = session.Principal.ToActor();
        if (form["decision"] != "allow")
        {
            return Refuse(Errors.AccessDenied, "The user did not allow the app.");
        }

        var scopes = request.GetScopes();
        Guid? patient = null;
        if (scopes.Contains(SmartSetup.LaunchPatientScope) || scopes.Any(s => s.StartsWith("patient/", StringComparison.Ordinal)))
        {
            patient = await FindPatient(db, form["identifier"].ToString(), ct);
            if (patient is null)
            {
                // The identifier itself never goes into a URL.
                return Results.Redirect(ConsentPage + QueryOf(request) + "&problem=not-found");
            }

            // Need-to-know holds for apps too: a token limited to one person is still a way into that
            // record, so only someone in the person's care team may give it (issue 17.12a).
            if (await RecordAccess.CheckAsync(db, userId, patient.Value, clock.GetUtcNow(), ct) != Relationship.CareTeam)
            {
                db.Audit(clock, actor, AuditAction.RecordRefused, AuditPurpose.Security, patient, ClientIdForAudit(request));
                await db.SaveChangesAsync(ct);
                return Results.Redirect(ConsentPage + QueryOf(request) + "&problem=not-in-care-team");
            }
        }

        db.Audit(clock, actor, AuditAction.AppAuthorised, AuditPurpose.DirectCare, patient, ClientIdForAudit(request));
        await db.SaveChangesAsync(ct);

        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, userId);
        identity.SetClaim(ClaimTypes.NameIdentifier, userId);
        identity.SetClaim(Claims.Name, user.Email ?? user.UserName);
        foreach (var role in roles)
        {
            identity.AddClaim(new Claim(Claims.Role, role));
        }

        if (patient is { } p)
        {
            identity.SetClaim(PatientClaim, p.ToString());
        }

        identity.SetScopes(scopes.Intersect(SmartSetup.AppScopes));
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static string? ClientIdForAudit(OpenIddictRequest request) => request.ClientId;

    /// <summary>The person a launch is for, found by MRN or NHS number: only an exact identifier names someone.</summary>
    private static async Task<Guid?> FindPatient(AftercareDbContext db, string identifier, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(identifier))
        {
            return null;
        }

        var mrn = PersonIdentifier.Normalise(IdentifierKind.Mrn, identifier);
        var nhs = PersonIdentifier.Normalise(IdentifierKind.NhsNumber, identifier);
        return await db.People.Where(p => p.Identifiers.Any(i => (i.Kind == IdentifierKind.Mrn && i.Value == mrn) || (i.Kind == IdentifierKind.NhsNumber && i.Value == nhs)))
            .Select(p => (Guid?)p.Id).FirstOrDefaultAsync(ct);
    }

    /// <summary>The authorization request as a query string, to come back to after sign-in or a correction.</summary>
    public static string QueryOf(OpenIddictRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return QueryString.Create(request.GetParameters()
            .Where(p => p.Key is not ("decision" or "identifier" or "problem" or "__RequestVerificationToken"))
            .Select(p => new KeyValuePair<string, string?>(p.Key, (string?)p.Value))).ToUriComponent();
    }

    private static IResult Refuse(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

    /// <summary>The person a token is limited to, when it carries patient/* scopes; null for user and system tokens.</summary>
    public static Guid? PatientContext(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.FindFirstValue(PatientClaim) is { } value && Guid.TryParse(value, out var id) ? id : null;
    }
}
