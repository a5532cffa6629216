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

    /// <summary>The user's security stamp when they allowed the app, and when their session ends: an online_access refresh token holds only while both still hold.</summary>
    public const string SessionStampClaim = "aftercare_session_stamp";
    public const string SessionEndClaim = "aftercare_session_end";

    /// <summary>The form field the consent page's patient picker posts: the chosen person's id.</summary>
    public const string PatientField = "patient";

    /// <summary>GET shows the consent page (after sign-in); POST is the user's answer from it.</summary>
    public static async Task<IResult> Authorize(
        HttpContext context, IAntiforgery antiforgery, UserManager<AftercareUser> users,
        AftercareDbContext db, TimeProvider clock, PublicAddress address, SmartOptions smart, SecurityOptions security, IOpenIddictApplicationManager applications, CancellationToken ct)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        // Before anyone is asked to sign in: a request no one could allow goes back to the app.
        if (await SmartTokenRules.AuthorizeRefusal(applications, address, request, ct) is { } refusal)
        {
            return Refuse(refusal.Error, refusal.Description);
        }

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

        var scopes = Granted(request.GetScopes(), smart);
        Guid? patient = null;
        if (NeedsPatient(scopes))
        {
            // The person chosen on the page; the id never goes back into a URL.
            if (!Guid.TryParse(form[PatientField], out var chosen))
            {
                return Results.Redirect(ConsentPage + QueryOf(request) + "&problem=choose");
            }

            // Need-to-know holds for apps too: a token limited to one person is still a way into that
            // record, so only someone in the person's care team may give it (issue 17.12a). The picker
            // lists no one else, and an id posted by hand is held to the same rule; an id no one has
            // is answered the same way, so that nothing tells whether it exists.
            if (await RecordAccess.CheckAsync(db, userId, chosen, clock.GetUtcNow(), ct) != Relationship.CareTeam)
            {
                db.Audit(clock, actor, AuditAction.RecordRefused, AuditPurpose.Security, chosen, ClientIdForAudit(request));
                await db.SaveChangesAsync(ct);
                return Results.Redirect(ConsentPage + QueryOf(request) + "&problem=not-in-care-team");
            }

            patient = chosen;
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

        if (scopes.Contains(SmartScopes.FhirUser))
        {
            identity.SetClaim(SmartScopes.FhirUser, FhirUser(address, userId));
        }

        // What online_access is bound to: this sign-in session, as the cookie knows it.
        identity.SetClaim(SessionStampClaim, await users.GetSecurityStampAsync(user));
        if (session.Properties?.Items.TryGetValue(IdentitySetup.SignedInAt, out var at) == true
            && DateTimeOffset.TryParse(at, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var signedIn))
        {
            identity.SetClaim(SessionEndClaim, (signedIn + TimeSpan.FromHours(security.SessionHours)).ToUnixTimeSeconds());
        }

        identity.SetScopes(scopes);
        identity.SetDestinations(Destinations);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>What the user can grant of what was asked: offline_access only where the server allows it (else it is simply not granted).</summary>
    public static string[] Granted(IEnumerable<string> asked, SmartOptions smart)
    {
        ArgumentNullException.ThrowIfNull(smart);
        return [.. asked.Where(s => SmartScopes.IsAppScope(s) || (SmartScopes.Protocol.Contains(s) && (s != Scopes.OfflineAccess || smart.OfflineAccess)))];
    }

    /// <summary>A launch asks for a person when it asks for launch/patient or any patient/ scope.</summary>
    public static bool NeedsPatient(IEnumerable<string> scopes) =>
        scopes.Any(s => s == SmartSetup.LaunchPatientScope || SmartScope.Parse(s) is { Context: SmartScope.PatientContext });

    /// <summary>The user as SMART's fhirUser names them: their Practitioner, absolute, on this server's FHIR base.</summary>
    public static string FhirUser(PublicAddress address, string userId)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.For($"{Fhir.FhirRoutes.Base}/{Account.PractitionerFhir.Type}/{userId}");
    }

    /// <summary>
    /// Which token each claim goes into: the subject and fhirUser into the identity token too (when
    /// openid was granted); what the session is bound to into neither (it stays inside the code and
    /// the refresh token, which only this server reads); everything else into the access token.
    /// </summary>
    public static IEnumerable<string> Destinations(Claim claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return claim.Type switch
        {
            Claims.Subject or SmartScopes.FhirUser => [OpenIddictConstants.Destinations.AccessToken, OpenIddictConstants.Destinations.IdentityToken],
            SessionStampClaim or SessionEndClaim => [],
            _ => [OpenIddictConstants.Destinations.AccessToken],
        };
    }

    /// <summary>When the session an online_access grant is bound to ends; null when unknown.</summary>
    public static DateTimeOffset? SessionEnd(ClaimsPrincipal principal) =>
        long.TryParse(principal?.GetClaim(SessionEndClaim), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;

    private static string? ClientIdForAudit(OpenIddictRequest request) => request.ClientId;

    /// <summary>The authorization request as a query string, to come back to after sign-in or a correction.</summary>
    public static string QueryOf(OpenIddictRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return QueryString.Create(request.GetParameters()
            .Where(p => p.Key is not ("decision" or PatientField or "problem" or "__RequestVerificationToken"))
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
