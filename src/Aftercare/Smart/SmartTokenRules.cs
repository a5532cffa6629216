using Microsoft.AspNetCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Aftercare.Smart;

/// <summary>
/// Where OpenIddict 7.8's answers at the token endpoint differ from what RFC 6749 and SMART tell a
/// client to expect (issue 13.3), each rule a small handler in OpenIddict's own pipeline.
/// </summary>
public static class SmartTokenRules
{
    public static readonly OpenIddictServerHandlerDescriptor[] Descriptors = [ScopeNotRegistered.Descriptor, AlwaysNameScopes.Descriptor, InvalidClientWithoutHttpAuthentication.Descriptor];

    /// <summary>
    /// A client asking for a scope it was not registered for is told <c>invalid_scope</c> (RFC 6749
    /// section 5.2), not OpenIddict's <c>invalid_request</c>; it runs just before OpenIddict's own check,
    /// which stays as the backstop.
    /// </summary>
    public sealed class ScopeNotRegistered(IOpenIddictApplicationManager applications) : IOpenIddictServerHandler<ValidateTokenRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseScopedHandler<ScopeNotRegistered>()
            .SetOrder(OpenIddictServerHandlers.Exchange.ValidateScopePermissions.Descriptor.Order - 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

        public async ValueTask HandleAsync(ValidateTokenRequestContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            if (string.IsNullOrEmpty(context.ClientId) || await applications.FindByClientIdAsync(context.ClientId, context.CancellationToken) is not { } application)
            {
                return;
            }

            var refused = new List<string>();
            foreach (var scope in context.Request.GetScopes())
            {
                if (!await applications.HasPermissionAsync(application, Permissions.Prefixes.Scope + scope, context.CancellationToken))
                {
                    refused.Add(scope);
                }
            }

            if (refused.Count > 0)
            {
                context.Reject(Errors.InvalidScope, $"This client is not registered for {string.Join(" ", refused)}.");
            }
        }
    }

    /// <summary>
    /// The token response always says which scopes were granted. OpenIddict leaves <c>scope</c> out when
    /// they are the scopes asked for, which RFC 6749 allows but SMART (and many clients) expect.
    /// </summary>
    public sealed class AlwaysNameScopes : IOpenIddictServerHandler<ProcessSignInContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseSingletonHandler<AlwaysNameScopes>()
            .SetOrder(OpenIddictServerHandlers.AttachSignInParameters.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

        public ValueTask HandleAsync(ProcessSignInContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            if (context.IncludeAccessToken && context.AccessTokenPrincipal is { } principal && string.IsNullOrEmpty(context.Response.Scope))
            {
                context.Response.Scope = string.Join(" ", principal.GetScopes());
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// RFC 6749 section 5.2: <c>invalid_client</c> is a 401 with a <c>WWW-Authenticate</c> challenge only
    /// for a client that authenticated with an HTTP scheme (an Authorization header); otherwise 400.
    /// A SMART backend service authenticates with a signed assertion in the form, so a refused
    /// assertion is 400 <c>invalid_client</c>. OpenIddict answers 401 with a Basic challenge, naming a
    /// scheme this server does not take.
    /// </summary>
    public sealed class InvalidClientWithoutHttpAuthentication : IOpenIddictServerHandler<ApplyTokenResponseContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
            .UseSingletonHandler<InvalidClientWithoutHttpAuthentication>()
            .SetOrder(OpenIddictServerAspNetCoreHandlers.AttachWwwAuthenticateHeader<ApplyTokenResponseContext>.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

        public ValueTask HandleAsync(ApplyTokenResponseContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            var http = context.Transaction.GetHttpRequest()?.HttpContext;
            if (http is not null && context.Response.Error == Errors.InvalidClient && http.Request.Headers.Authorization.Count == 0)
            {
                http.Response.StatusCode = StatusCodes.Status400BadRequest;
                http.Response.Headers.WWWAuthenticate = default;
            }

            return ValueTask.CompletedTask;
        }
    }
}
