using System.Text.Json;
using Aftercare.Domain;
using Aftercare.Domain.Users;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Aftercare.Smart;

/// <summary>
/// Registers a SMART client: a backend service (its public key set, its scopes and the role it acts
/// in), or a user-facing app (public, PKCE required, its redirect addresses and the scopes it may ask for).
/// </summary>
public static class RegisterClient
{
    public static async Task<Result<string>> HandleApp(IOpenIddictApplicationManager applications, string clientId, string? name, IReadOnlyCollection<string> redirectUris, IReadOnlyCollection<string> scopes)
    {
        ArgumentNullException.ThrowIfNull(applications);
        ArgumentNullException.ThrowIfNull(redirectUris);
        ArgumentNullException.ThrowIfNull(scopes);
        var errors = new Aftercare.Domain.Errors();
        errors.AddIf(string.IsNullOrWhiteSpace(clientId) || clientId.Length > 100, "client-id", "Give a client id of up to 100 characters.");
        var uris = redirectUris.Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) ? uri : null).ToList();
        errors.AddIf(uris.Count == 0, "redirect-uri", "Give the app's redirect address (where it receives the code).");
        errors.AddIf(uris.Any(u => u is null || u.Fragment.Length > 0 || !(u.Scheme == Uri.UriSchemeHttps || (u.Scheme == Uri.UriSchemeHttp && u.IsLoopback))),
            "redirect-uri", "Redirect addresses are absolute https addresses without a #fragment (plain http only on this machine's loopback).");
        var unknown = scopes.Where(s => !SmartScopes.IsAppScope(s) && !SmartScopes.Protocol.Contains(s)).ToList();
        errors.AddIf(scopes.Count == 0 || unknown.Count > 0, "scopes",
            "An app's scopes are launch/patient, openid, fhirUser, online_access, offline_access and patient/ or user/ scopes: a resource type or *, then .read, .write or .* (v1) or c r u d s in that order (v2), e.g. patient/CarePlan.rs.");
        if (!errors.Any && await applications.FindByClientIdAsync(clientId) is not null)
        {
            errors.Add("client-id", "A client with that id exists already.");
        }

        if (errors.Any)
        {
            return Result<string>.Failure(errors.List);
        }

        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientType = ClientTypes.Public,
            DisplayName = string.IsNullOrWhiteSpace(name) ? clientId : name.Trim(),
            Permissions = { Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken, Permissions.ResponseTypes.Code },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        foreach (var uri in uris)
        {
            descriptor.RedirectUris.Add(uri!);
        }

        foreach (var scope in scopes)
        {
            descriptor.Permissions.Add(Permissions.Prefixes.Scope + scope);
        }

        await applications.CreateAsync(descriptor);
        return clientId;
    }

    /// <summary>
    /// Revokes a client: OpenIddict deletes the application with its authorizations and tokens, so
    /// its refresh tokens are refused from then on and it can get no new token (access tokens already
    /// issued end within their five minutes).
    /// </summary>
    public static async Task<Result<string>> Revoke(IOpenIddictApplicationManager applications, string clientId)
    {
        ArgumentNullException.ThrowIfNull(applications);
        if (string.IsNullOrWhiteSpace(clientId) || await applications.FindByClientIdAsync(clientId) is not { } application)
        {
            return Result<string>.Failure(Aftercare.Domain.Error.NotFound("client-id", "No client has that id."));
        }

        await applications.DeleteAsync(application);
        return clientId;
    }

    public static async Task<Result<string>> Handle(IOpenIddictApplicationManager applications, string clientId, string role, string jwks, IReadOnlyCollection<string> scopes)
    {
        ArgumentNullException.ThrowIfNull(applications);
        ArgumentNullException.ThrowIfNull(scopes);
        if (string.IsNullOrWhiteSpace(clientId) || clientId.Length > 100)
        {
            return Result<string>.Failure("client-id", "Give a client id of up to 100 characters.");
        }

        if (!Roles.IsKnown(role) || role is Roles.Administrator or Roles.ServiceManager)
        {
            return Result<string>.Failure("role", "A client acts as a clinician, aftercare worker or therapist.");
        }

        if (scopes.Count == 0 || !scopes.All(SmartScopes.IsSystemScope))
        {
            return Result<string>.Failure("scopes", $"Scopes are system/ scopes: {SmartSetup.ReadScope}, {SmartSetup.WriteScope} or {SmartSetup.AllScope}, or one resource type's, e.g. system/Encounter.rs (v2 c r u d s, or v1 read, write, *).");
        }

        JsonWebKeySet keys;
        try
        {
            keys = new JsonWebKeySet(jwks);
        }
        catch (ArgumentException)
        {
            return Result<string>.Failure("jwks", "The key set is not a JSON Web Key Set ({\"keys\": [...]}) with public keys.");
        }

        if (keys.Keys.Count == 0)
        {
            return Result<string>.Failure("jwks", "The key set has no keys.");
        }

        if (keys.Keys.Any(k => k.HasPrivateKey))
        {
            return Result<string>.Failure("jwks", "Give the client's public keys only: never its private key.");
        }

        if (await applications.FindByClientIdAsync(clientId) is not null)
        {
            return Result<string>.Failure("client-id", "A client with that id exists already.");
        }

        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientType = ClientTypes.Confidential,
            DisplayName = clientId,
            JsonWebKeySet = keys,
            Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials },
        };
        foreach (var scope in scopes)
        {
            descriptor.Permissions.Add(Permissions.Prefixes.Scope + scope);
        }

        descriptor.Properties[SmartSetup.RoleProperty] = JsonSerializer.SerializeToElement(role);
        await applications.CreateAsync(descriptor);
        return clientId;
    }
}
