using System.Security.Claims;
using Aftercare.App.Data;
using Aftercare.Domain.Users;
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
    public const string FhirRead = "fhir-read";
    public const string FhirWrite = "fhir-write";

    /// <summary>The role a client acts in, kept in the application's properties.</summary>
    public const string RoleProperty = "aftercare_role";

    public static readonly string[] Schemes = [IdentityConstants.ApplicationScheme, OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme];

    public static IServiceCollection AddSmartOnFhir(this IServiceCollection services)
    {
        services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<AftercareDbContext>())
            .AddServer(o =>
            {
                o.SetTokenEndpointUris(TokenPath);
                o.AllowClientCredentialsFlow();
                o.RegisterScopes(ReadScope, WriteScope, AllScope);
                o.SetAccessTokenLifetime(TimeSpan.FromMinutes(5));
                // Keys live in memory: tokens are short-lived and a restart asks clients for new ones.
                o.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
                o.DisableAccessTokenEncryption();
                o.AddEventHandler(SmartClientAssertions.Descriptor).AddEventHandler(SmartClientAssertions.NameType.Descriptor);
                o.UseAspNetCore().EnableTokenEndpointPassthrough().DisableTransportSecurityRequirement();
            })
            .AddValidation(o =>
            {
                o.UseLocalServer();
                o.UseAspNetCore();
            });

        services.AddScoped<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, FhirAuthorizationResults>();
        services.AddAuthorizationBuilder()
            .AddPolicy(FhirRead, p => p.AddAuthenticationSchemes(Schemes).RequireAuthenticatedUser()
                .RequireRole(Roles.Clinician, Roles.AftercareWorker, Roles.Therapist)
                .RequireAssertion(c => ScopeAllows(c.User, ReadScope)))
            .AddPolicy(FhirWrite, p => p.AddAuthenticationSchemes(Schemes).RequireAuthenticatedUser()
                .RequireRole(Roles.Clinician, Roles.AftercareWorker)
                .RequireAssertion(c => ScopeAllows(c.User, WriteScope)));
        return services;
    }

    /// <summary>A signed-in person is limited by role alone; a token also by its scopes.</summary>
    public static bool ScopeAllows(ClaimsPrincipal user, string needed)
    {
        ArgumentNullException.ThrowIfNull(user);
        var scopes = user.GetScopes();
        var viaToken = user.Identities.Any(i => i.AuthenticationType == OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme) || user.HasClaim(c => c.Type == Claims.ClientId);
        return !viaToken || scopes.Contains(needed) || scopes.Contains(AllScope);
    }

    public static IEndpointRouteBuilder MapSmart(this IEndpointRouteBuilder app)
    {
        app.MapPost(TokenPath, Token).AllowAnonymous().DisableAntiforgery();
        app.MapGet("/.well-known/smart-configuration", Configuration).AllowAnonymous();
        app.MapGet("/fhir/.well-known/smart-configuration", Configuration).AllowAnonymous();
        return app;
    }

    public static IResult Configuration(HttpContext context)
    {
        var issuer = $"{context.Request.Scheme}://{context.Request.Host}";
        return TypedResults.Json(new SmartConfiguration(
            issuer + "/", issuer + TokenPath, ["client_credentials"], ["private_key_jwt"], ["RS384", "ES384", "RS256"],
            [ReadScope, WriteScope, AllScope], ["client-confidential-asymmetric"]));
    }

    /// <summary>The SMART discovery document (SMART App Launch v2, section 2.1).</summary>
    public sealed record SmartConfiguration(
        [property: System.Text.Json.Serialization.JsonPropertyName("issuer")] string Issuer,
        [property: System.Text.Json.Serialization.JsonPropertyName("token_endpoint")] string TokenEndpoint,
        [property: System.Text.Json.Serialization.JsonPropertyName("grant_types_supported")] IReadOnlyList<string> GrantTypes,
        [property: System.Text.Json.Serialization.JsonPropertyName("token_endpoint_auth_methods_supported")] IReadOnlyList<string> AuthMethods,
        [property: System.Text.Json.Serialization.JsonPropertyName("token_endpoint_auth_signing_alg_values_supported")] IReadOnlyList<string> SigningAlgorithms,
        [property: System.Text.Json.Serialization.JsonPropertyName("scopes_supported")] IReadOnlyList<string> Scopes,
        [property: System.Text.Json.Serialization.JsonPropertyName("capabilities")] IReadOnlyList<string> Capabilities);

    /// <summary>Issues a backend-services token: the client's id, its registered role, the scopes it asked for and was granted.</summary>
    public static async Task<IResult> Token(HttpContext context, IOpenIddictApplicationManager applications)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        if (!request.IsClientCredentialsGrantType())
        {
            return Forbid("unsupported_grant_type", "Only client_credentials (SMART backend services) is offered.");
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
        identity.SetClaim(ClaimTypes.NameIdentifier, $"client:{request.ClientId}");
        identity.AddClaim(new Claim(Claims.Role, role));
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static IResult Forbid(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
