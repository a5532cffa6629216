using System.Text.Json;
using Aftercare.Domain;
using Aftercare.Domain.Users;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Aftercare.Smart;

/// <summary>Registers a SMART backend-services client: its id, its public key set, its scopes and the role it acts in.</summary>
public static class RegisterClient
{
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

        var unknown = scopes.Except([SmartSetup.ReadScope, SmartSetup.WriteScope, SmartSetup.AllScope]).ToList();
        if (scopes.Count == 0 || unknown.Count > 0)
        {
            return Result<string>.Failure("scopes", $"Scopes are {SmartSetup.ReadScope}, {SmartSetup.WriteScope} or {SmartSetup.AllScope}.");
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
