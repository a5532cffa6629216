using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Aftercare.Smart;

/// <summary>
/// Accepts client assertions written to the SMART Backend Services text, whose JOSE header says
/// <c>typ: JWT</c>. OpenIddict 7 accepts only <c>client-authentication+jwt</c> (draft-ietf-oauth-
/// rfc7523bis; openiddict-core#2539) and the issuer as the only audience; SMART and OpenID Connect
/// Core send the token endpoint. The signature, issuer, subject, expiry and replay checks are all
/// still OpenIddict's own: this handler adds <c>JWT</c> to the accepted types and the token endpoint
/// to the accepted audiences, and nothing else.
/// </summary>
public sealed class SmartClientAssertions : IOpenIddictServerHandler<ValidateTokenContext>
{
    private const string ClientAssertionType = "urn:openiddict:params:oauth:token-type:client_assertion";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
        .UseSingletonHandler<SmartClientAssertions>()
        .SetOrder(OpenIddictServerHandlers.Protection.ResolveTokenValidationParameters.Descriptor.Order + 1)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    private static bool IsClientAssertion(ValidateTokenContext context) =>
        context.ValidTokenTypes.Count == 1 && context.ValidTokenTypes.Contains(ClientAssertionType);

    public ValueTask HandleAsync(ValidateTokenContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!IsClientAssertion(context))
        {
            return ValueTask.CompletedTask;
        }

        if (context.TokenValidationParameters.ValidTypes is { } types)
        {
            context.TokenValidationParameters.ValidTypes = [.. types, "JWT"];
        }

        // OpenID Connect Core section 9 and SMART name the token endpoint as the audience; the issuer stays valid too.
        if (context.ValidAudiences.Count > 0 && (context.Options.Issuer ?? context.BaseUri) is { } baseUri)
        {
            context.ValidAudiences.Add(new Uri(baseUri, SmartSetup.TokenPath.TrimStart('/')).AbsoluteUri);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// OpenIddict names a token's type from its header and reads a bare <c>JWT</c> as an identity
    /// token; when a client assertion was asked for, such a token is named a client assertion. It was
    /// already checked against the client's own public keys, so a token this server signed cannot pass.
    /// </summary>
    public sealed class NameType : IOpenIddictServerHandler<ValidateTokenContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseSingletonHandler<NameType>()
            .SetOrder(OpenIddictServerHandlers.Protection.ValidatePrincipal.Descriptor.Order - 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

        public ValueTask HandleAsync(ValidateTokenContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            if (IsClientAssertion(context) && context.Principal is { } principal && principal.GetTokenType() is null or OpenIddictConstants.TokenTypeIdentifiers.IdentityToken)
            {
                principal.SetTokenType(ClientAssertionType);
            }

            return ValueTask.CompletedTask;
        }
    }
}
