using System.Globalization;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
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

    /// <summary>
    /// SMART Backend Services: an assertion is used once (a <c>jti</c> seen before from the same client
    /// is refused while the assertion lives) and lives no more than five minutes (<c>exp</c>). OpenIddict
    /// 7.8 checks neither: it never stores client assertions ("token entries are never used for client
    /// assertions", RestoreTokenEntryProperties). So each assertion's jti is kept as an OpenIddict token
    /// entry of its own type, in the OpenIddictTokens table OpenIddict already has: durable across
    /// restarts and shared by every instance on the database, and the table's unique index on
    /// ReferenceId (OpenIddict hashes it) refuses the second of two simultaneous uses. No table of our own.
    /// </summary>
    public sealed class Replay(IOpenIddictTokenManager tokens, IOpenIddictApplicationManager applications, Aftercare.App.Data.AftercareDbContext db) : IOpenIddictServerHandler<ValidateTokenContext>
    {
        /// <summary>The type of the token entries that remember used assertions.</summary>
        public const string UsedAssertionType = "used_client_assertion";

        /// <summary>SMART Backend Services: exp no more than five minutes in the future.</summary>
        public static readonly TimeSpan LongestLifetime = TimeSpan.FromMinutes(5);

        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseScopedHandler<Replay>()
            // Last of all: only an assertion that is otherwise valid (signature, audience, expiry) is remembered.
            .SetOrder(OpenIddictServerHandlers.Protection.ValidateAuthorizationEntry.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

        /// <summary>What is remembered: the client and its jti, together (a jti is unique per issuer, RFC 7523).</summary>
        public static string ReferenceOf(string clientId, string jti) => $"client_assertion:{clientId}:{jti}";

        public async ValueTask HandleAsync(ValidateTokenContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            if (!IsClientAssertion(context) || context.IsRejected || context.Principal is not { } principal)
            {
                return;
            }

            var clientId = principal.GetClaim(Claims.Subject) ?? principal.GetClaim(Claims.Issuer);
            var jti = principal.GetClaim(Claims.JwtId);
            if (string.IsNullOrEmpty(clientId) || string.IsNullOrWhiteSpace(jti))
            {
                context.Reject(Errors.InvalidClient, "The client assertion has no jti: SMART Backend Services requires a unique jti in every assertion.");
                return;
            }

            var now = (context.Options.TimeProvider ?? TimeProvider.System).GetUtcNow();
            if (!long.TryParse(principal.GetClaim(Claims.ExpiresAt), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
            {
                context.Reject(Errors.InvalidClient, "The client assertion has no exp.");
                return;
            }

            var expires = DateTimeOffset.FromUnixTimeSeconds(seconds);
            if (expires - now > LongestLifetime)
            {
                context.Reject(Errors.InvalidClient, "The client assertion's exp is more than five minutes ahead: SMART Backend Services allows five minutes at most.");
                return;
            }

            var reference = ReferenceOf(clientId, jti);
            if (await tokens.FindByReferenceIdAsync(reference, context.CancellationToken) is not null)
            {
                context.Reject(Errors.InvalidClient, "This client assertion was used already: sign a new one, with a new jti, for each token request.");
                return;
            }

            var application = await applications.FindByClientIdAsync(clientId, context.CancellationToken);
            var entry = new OpenIddictTokenDescriptor
            {
                ApplicationId = application is null ? null : await applications.GetIdAsync(application, context.CancellationToken),
                CreationDate = now,
                ExpirationDate = expires,
                ReferenceId = reference,
                Status = Statuses.Redeemed,
                Subject = clientId,
                Type = UsedAssertionType,
            };
            try
            {
                await tokens.CreateAsync(entry, context.CancellationToken);
            }
            catch (Exception e) when (e is OpenIddictExceptions.ValidationException or System.ComponentModel.DataAnnotations.ValidationException or Microsoft.EntityFrameworkCore.DbUpdateException)
            {
                // The same assertion, sent twice at once: the other request stored it first. The entry
                // that could not be saved must not be saved later by anything else in this request.
                db.ChangeTracker.Clear();
                context.Reject(Errors.InvalidClient, "This client assertion was used already: sign a new one, with a new jti, for each token request.");
            }
        }
    }
}
