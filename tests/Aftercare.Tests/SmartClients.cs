using System.Security.Cryptography;
using System.Text.Json;
using Aftercare.Smart;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;

namespace Aftercare.Tests;

/// <summary>A SMART backend service as a test plays it: registered with a key pair, signing its own assertions.</summary>
internal static class SmartClients
{
    /// <summary>Registers the client with its public key; the private key stays with the test.</summary>
    public static async Task<RsaSecurityKey> Register(AftercareApplication app, string clientId, string role, params string[] scopes)
    {
        var rsa = RSA.Create(2048);
        var parameters = rsa.ExportParameters(false);
        var jwks = JsonSerializer.Serialize(new { keys = new[] { new { kty = "RSA", kid = clientId + "-key", use = "sig", alg = "RS384", n = Base64UrlEncoder.Encode(parameters.Modulus!), e = Base64UrlEncoder.Encode(parameters.Exponent!) } } });
        await using var scope = app.Services.CreateAsyncScope();
        var registered = await RegisterClient.Handle(scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>(), clientId, role, jwks, scopes);
        Assert.True(registered.IsSuccess, string.Join("; ", registered.Errors.Select(e => e.Message)));
        return new RsaSecurityKey(rsa) { KeyId = clientId + "-key" };
    }

    /// <summary>
    /// A signed client assertion. OpenIddict 7 follows draft-ietf-oauth-rfc7523bis (the issuer as
    /// audience, typ client-authentication+jwt; openiddict-core#2539); SMART's own text sends the
    /// token endpoint and typ JWT. The claims a test leaves out (null) are left out of the token.
    /// The client's clock is the app's (fake) clock, as OpenIddict's is.
    /// </summary>
    public static string Assertion(AftercareApplication app, RsaSecurityKey key, string clientId, string audience, string type, TimeSpan lifetime, string? jti)
    {
        var claims = new Dictionary<string, object> { ["sub"] = clientId };
        if (jti is not null)
        {
            claims["jti"] = jti;
        }

        var now = app.Clock.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = audience,
            TokenType = type,
            Claims = claims,
            IssuedAt = now,
            NotBefore = now.AddMinutes(-1),
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha384),
        });
    }

    /// <summary>An assertion as a well-behaved client signs it: a fresh jti, four minutes to live.</summary>
    public static string Assertion(AftercareApplication app, RsaSecurityKey key, string clientId) =>
        Assertion(app, key, clientId, app.BaseAddress.ToString(), "client-authentication+jwt", TimeSpan.FromMinutes(4), Guid.NewGuid().ToString());

    /// <summary>The client-credentials token request, posted to the token endpoint at <paramref name="server"/>.</summary>
    public static Task<HttpResponseMessage> RequestToken(HttpClient server, string assertion, string scope) =>
        server.PostAsync("connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["scope"] = scope,
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = assertion,
        }));
}
