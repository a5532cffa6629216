using System.Security.Claims;
using Aftercare.Access;
using Aftercare.App.Data;
using Aftercare.Domain.Users;
using Aftercare.Hosting;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Aftercare.Smart;

/// <summary>
/// SMART on FHIR backend services (client credentials with private_key_jwt) with OpenIddict. A
/// token carries the client's scopes and the role it was registered with: scopes are enforced
/// together with the role rules of the pages, not instead of them.
/// </summary>
public static class SmartSetup
{
    public const string TokenPath = "/connect/token";
    public const string ReadScope = "system/*.read";
    public const string WriteScope = "system/*.write";
    public const string AllScope = "system/*.*";
    public const string LaunchPatientScope = "launch/patient";
    public const string PatientReadScope = "patient/*.read";

    /// <summary>What a user-facing app may be granted (SMART App Launch, v1 and v2 spellings).</summary>
    public static readonly string[] AppScopes = [LaunchPatientScope, PatientReadScope, "patient/*.rs", "user/*.read", "user/*.rs", "user/*.write", "user/*.cud", "user/*.*", "user/*.cruds"];

    /// <summary>Any one of these lets a token read; <see cref="WriteScopes"/> write.</summary>
    public static readonly string[] ReadScopes = [ReadScope, AllScope, "system/*.rs", "system/*.cruds", PatientReadScope, "patient/*.rs", "user/*.read", "user/*.rs", "user/*.*", "user/*.cruds"];
    public static readonly string[] WriteScopes = [WriteScope, AllScope, "system/*.cud", "system/*.cruds", "user/*.write", "user/*.cud", "user/*.*", "user/*.cruds"];
    /// <summary>
    /// The audit trail, for a backend service: granted only by name when the client is registered,
    /// never by system/*.read (a client registered for records is not thereby given who looked at them).
    /// </summary>
    public static readonly string[] AuditReadScopes = ["system/AuditEvent.read", "system/AuditEvent.rs"];
    public const string FhirRead = "fhir-read";
    public const string FhirWrite = "fhir-write";

    /// <summary>The role a client acts in, kept in the application's properties.</summary>
    public const string RoleProperty = "aftercare_role";

    public static readonly string[] Schemes = [IdentityConstants.ApplicationScheme, OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme];

    /// <summary>OpenID Connect discovery and the keys identity tokens are signed with, for apps that check an id_token.</summary>
    public const string OpenIdConfigurationPath = "/.well-known/openid-configuration";
    public const string JwksPath = "/.well-known/jwks";

    public static IServiceCollection AddSmartOnFhir(this IServiceCollection services, IConfiguration configuration)
    {
        var smart = SmartOptions.From(configuration);
        services.AddSingleton(smart);
        services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<AftercareDbContext>())
            .AddServer(o =>
            {
                o.SetTokenEndpointUris(TokenPath).SetAuthorizationEndpointUris(AppLaunch.AuthorizePath)
                    .SetConfigurationEndpointUris(OpenIdConfigurationPath).SetJsonWebKeySetEndpointUris(JwksPath);
                o.AllowClientCredentialsFlow().AllowAuthorizationCodeFlow().AllowRefreshTokenFlow().RequireProofKeyForCodeExchange();
                o.RegisterScopes([.. ReadScopes.Union(WriteScopes).Union(AppScopes).Union(SmartScopes.Protocol)]);
                // Resource-level scopes (patient/CarePlan.rs, v1 and v2) are too many to list: which
                // exist and which a client may have is SmartScopes' to say, at both endpoints
                // (SmartTokenRules), in place of OpenIddict's exact-string lists.
                o.DisableScopeValidation().IgnoreScopePermissions();
                o.SetAuthorizationCodeLifetime(TimeSpan.FromMinutes(2));
                o.SetAccessTokenLifetime(TimeSpan.FromMinutes(5));
                o.SetIdentityTokenLifetime(TimeSpan.FromMinutes(5));
                o.SetRefreshTokenLifetime(OfflineLifetime);
                // The signing and encryption keys are kept in the keys folder (SmartKeys, below).
                o.DisableAccessTokenEncryption();
                o.AddEventHandler(SmartClientAssertions.Descriptor).AddEventHandler(SmartClientAssertions.NameType.Descriptor).AddEventHandler(SmartClientAssertions.Replay.Descriptor);
                foreach (var rule in SmartTokenRules.Descriptors)
                {
                    o.AddEventHandler(rule);
                }

                o.UseAspNetCore().EnableTokenEndpointPassthrough().EnableAuthorizationEndpointPassthrough().DisableTransportSecurityRequirement();
            })
            .AddValidation(o =>
            {
                o.UseLocalServer();
                o.UseAspNetCore();
            });

        services.AddSmartKeys();
        // The issuer is the public address, not whatever Host a request carried (issue 17.11).
        services.AddOptions<OpenIddict.Server.OpenIddictServerOptions>().Configure<PublicAddress>((o, address) =>
        {
            o.Issuer = address.Base;
            // PKCE with S256 only, as discovery says: OpenIddict also takes "plain" (and a challenge
            // without a method, which means plain) unless told not to (issue 13.2).
            o.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain);
        });
        // A token is for this server's FHIR base and no other (its aud); /fhir takes no token meant elsewhere.
        services.AddOptions<OpenIddict.Validation.OpenIddictValidationOptions>().Configure<PublicAddress>((o, address) => o.Audiences.Add(FhirAudience(address)));
        services.AddScoped<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, FhirAuthorizationResults>();
        services.AddHostedService<UsedAssertionPruning>();
        services.AddAuthorizationBuilder()
            .AddPolicy(FhirRead, p => p.AddAuthenticationSchemes(Schemes).RequireAuthenticatedUser()
                .RequireRole(Roles.Clinician, Roles.AftercareWorker, Roles.Therapist)
                .RequireAssertion(ScopesAllow))
            .AddPolicy(FhirWrite, p => p.AddAuthenticationSchemes(Schemes).RequireAuthenticatedUser()
                .RequireRole(Roles.Clinician, Roles.AftercareWorker)
                .RequireAssertion(ScopesAllow));
        return services;
    }

    /// <summary>How long a refresh token for offline_access lives (renewed at each use).</summary>
    public static readonly TimeSpan OfflineLifetime = TimeSpan.FromDays(14);

    /// <summary>The check of every FHIR policy: a token's scopes allow what this request does to its resource type (<see cref="SmartScopes.Allow"/>).</summary>
    public static bool ScopesAllow(Microsoft.AspNetCore.Authorization.AuthorizationHandlerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Resource is HttpContext http ? SmartScopes.Allow(context.User, http.Request) : !SmartScopes.ViaToken(context.User);
    }

    /// <summary>The audience of every access token: this server's FHIR base URL, as SMART's aud names it.</summary>
    public static string FhirAudience(PublicAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.For(Fhir.FhirRoutes.Base);
    }

    /// <summary>A backend service (client credentials) acting for the organisation, not a member of staff.</summary>
    public static bool IsBackendService(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.FindFirstValue(ClaimTypes.NameIdentifier)?.StartsWith(App.Actor.BackendServicePrefix, StringComparison.Ordinal) == true;
    }

    public static IEndpointRouteBuilder MapSmart(this IEndpointRouteBuilder app)
    {
        app.MapPost(TokenPath, Token).AllowAnonymous().DisableAntiforgery().WithMetadata(new NoRecordAttribute());
        // The consent form carries an antiforgery token, checked by AppLaunch itself.
        app.MapMethods(AppLaunch.AuthorizePath, [HttpMethods.Get, HttpMethods.Post], AppLaunch.Authorize).AllowAnonymous().DisableAntiforgery().WithMetadata(new NoRecordAttribute());
        app.MapGet("/.well-known/smart-configuration", Configuration).AllowAnonymous().WithMetadata(new NoRecordAttribute());
        app.MapGet("/fhir/.well-known/smart-configuration", Configuration).AllowAnonymous().WithMetadata(new NoRecordAttribute());
        return app;
    }

    /// <summary>Names the configured public address only, never the request's Host header (issue 17.11).</summary>
    public static IResult Configuration(PublicAddress address, SmartOptions smart)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(smart);
        string[] protocol = smart.OfflineAccess ? SmartScopes.Protocol : [.. SmartScopes.Protocol.Where(s => s != Scopes.OfflineAccess)];
        string[] capabilities = ["launch-standalone", "context-standalone-patient", "client-public", "client-confidential-asymmetric", "sso-openid-connect",
            "permission-patient", "permission-user", "permission-online", "permission-v1", "permission-v2"];
        return TypedResults.Json(new SmartConfiguration(
            address.Base.AbsoluteUri, address.For(AppLaunch.AuthorizePath), address.For(TokenPath), address.For(JwksPath),
            ["authorization_code", "client_credentials", "refresh_token"], ["code"], ["private_key_jwt", "none"], ["RS384", "ES384", "RS256"],
            [.. protocol.Union(ReadScopes).Union(WriteScopes).Union(AppScopes)], ["S256"],
            smart.OfflineAccess ? [.. capabilities, "permission-offline"] : capabilities));
    }

    /// <summary>The SMART discovery document (SMART App Launch v2, section 2.1).</summary>
    public sealed record SmartConfiguration(
        [property: System.Text.Json.Serialization.JsonPropertyName("issuer")] string Issuer,
        [property: System.Text.Json.Serialization.JsonPropertyName("authorization_endpoint")] string AuthorizationEndpoint,
        [property: System.Text.Json.Serialization.JsonPropertyName("token_endpoint")] string TokenEndpoint,
        [property: System.Text.Json.Serialization.JsonPropertyName("jwks_uri")] string JwksUri,
        [property: System.Text.Json.Serialization.JsonPropertyName("grant_types_supported")] IReadOnlyList<string> GrantTypes,
        [property: System.Text.Json.Serialization.JsonPropertyName("response_types_supported")] IReadOnlyList<string> ResponseTypes,
        [property: System.Text.Json.Serialization.JsonPropertyName("token_endpoint_auth_methods_supported")] IReadOnlyList<string> AuthMethods,
        [property: System.Text.Json.Serialization.JsonPropertyName("token_endpoint_auth_signing_alg_values_supported")] IReadOnlyList<string> SigningAlgorithms,
        [property: System.Text.Json.Serialization.JsonPropertyName("scopes_supported")] IReadOnlyList<string> Scopes,
        [property: System.Text.Json.Serialization.JsonPropertyName("code_challenge_methods_supported")] IReadOnlyList<string> CodeChallengeMethods,
        [property: System.Text.Json.Serialization.JsonPropertyName("capabilities")] IReadOnlyList<string> Capabilities);

    /// <summary>Issues a backend-services token: the client's id, its registered role, the scopes it asked for and was granted.</summary>
    public static async Task<IResult> Token(
        HttpContext context, IOpenIddictApplicationManager applications, UserManager<AftercareUser> users, PublicAddress address, TimeProvider clock)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            return await ForApp(context, request, applications, users, FhirAudience(address), clock);
        }

        if (!request.IsClientCredentialsGrantType())
        {
            return Forbid("unsupported_grant_type", "Offered: authorization_code (SMART App Launch), refresh_token and client_credentials (backend services).");
        }

        var application = await applications.FindByClientIdAsync(request.ClientId!);
        if (application is null)
        {
            return Forbid(Errors.InvalidClient, "Unknown client.");
        }

        var properties = await applications.GetPropertiesAsync(application);
        var role = properties.TryGetValue(RoleProperty, out var r) ? r.GetString() : null;
        if (role is null || !Roles.IsKnown(role))
        {
            return Forbid(Errors.InvalidClient, "This client has no role.");
        }

        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, request.ClientId);
        identity.SetClaim(Claims.ClientId, request.ClientId);
        identity.SetClaim(Claims.Name, $"client:{request.ClientId}");
        identity.SetClaim(ClaimTypes.NameIdentifier, $"{App.Actor.BackendServicePrefix}{request.ClientId}");
        identity.AddClaim(new Claim(Claims.Role, role));
        // A backend service is no user: it is given its system/ scopes only (no id token, no refresh token).
        identity.SetScopes(request.GetScopes().Where(SmartScopes.IsSystemScope));
        identity.SetAudiences(FhirAudience(address));
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>
    /// An app's code, or its refresh token, becomes a token only while its user can still sign in and
    /// still holds a direct-care role (read afresh), and while the app is still registered. A refresh
    /// token for online_access also needs the user's session to go on: not signed out, disabled or
    /// changed in role since (the security stamp), and not past the session's end. The patient context
    /// goes back beside the token.
    /// </summary>
    private static async Task<IResult> ForApp(
        HttpContext context, OpenIddictRequest request, IOpenIddictApplicationManager applications, UserManager<AftercareUser> users, string audience, TimeProvider clock)
    {
        var grant = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        var user = grant.Principal?.GetClaim(Claims.Subject) is { } id ? await users.FindByIdAsync(id) : null;
        if (grant.Principal is null || user is null || await users.IsLockedOutAsync(user))
        {
            return Forbid(Errors.InvalidGrant, "The user can no longer sign in.");
        }

        if (string.IsNullOrEmpty(request.ClientId) || await applications.FindByClientIdAsync(request.ClientId) is null)
        {
            return Forbid(Errors.InvalidGrant, "This app is no longer registered.");
        }

        var roles = await users.GetRolesAsync(user);
        if (!roles.Any(r => Roles.DirectCare.Split(',').Contains(r)))
        {
            return Forbid(Errors.InvalidGrant, "The user no longer holds a direct-care role.");
        }

        var principal = grant.Principal;
        var now = clock.GetUtcNow();
        if (request.IsRefreshTokenGrantType() && !principal.HasScope(Scopes.OfflineAccess)
            && !(AppLaunch.SessionEnd(principal) > now && principal.GetClaim(AppLaunch.SessionStampClaim) == await users.GetSecurityStampAsync(user)))
        {
            return Forbid(Errors.InvalidGrant, "The user's session has ended (signed out, timed out, or the account changed): the app must send them to sign in again.");
        }

        // Fewer scopes on a refresh, if the app asks (OpenIddict has checked they were granted before).
        if (request.IsRefreshTokenGrantType() && request.GetScopes() is { Length: > 0 } narrower)
        {
            principal.SetScopes(narrower);
        }

        var identity = (ClaimsIdentity)principal.Identity!;
        identity.RemoveClaims(Claims.Role);
        foreach (var role in roles)
        {
            identity.AddClaim(new Claim(Claims.Role, role));
        }

        identity.SetAudiences(audience);
        if (!principal.HasScope(Scopes.OfflineAccess) && AppLaunch.SessionEnd(principal) is { } end && end > now)
        {
            principal.SetRefreshTokenLifetime(end - now);
        }

        principal.SetDestinations(AppLaunch.Destinations);
        var parameters = new Dictionary<string, object?>();
        if (principal.GetClaim(AppLaunch.PatientClaim) is { } patient)
        {
            parameters[AppLaunch.PatientClaim] = patient;
        }

        return Results.SignIn(principal, new AuthenticationProperties(null, parameters), OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static IResult Forbid(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
