using System.Security.Claims;
using Aftercare.App;
using Aftercare.App.Data;
using Aftercare.App.Users;
using Aftercare.Domain.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Hosting;

public static class Policies
{
    public const string DirectCare = "direct-care";
    public const string RegisterPresentations = "register-presentations";
    public const string Administer = "administer";
    public const string ReviewPrivacy = "review-privacy";

    /// <summary>Reading the audit: administrators, and the privacy lead reviewing uses of emergency access.</summary>
    public const string ReadAudit = "read-audit";

    /// <summary>Aggregate measures only (service managers): counts, never a person's record.</summary>
    public const string Aggregates = "aggregates";
}

public static class IdentitySetup
{
    public const int MaxFailedSignIns = 5;

    public static readonly TimeSpan LockoutPeriod = TimeSpan.FromMinutes(15);

    /// <summary>OWASP's figure for PBKDF2 with HMAC-SHA512, which Identity's V3 hashes use.</summary>
    public const int PasswordHashIterations = 210_000;

    /// <summary>
    /// The PBKDF2 iteration count, <see cref="PasswordHashIterations"/> unless set. Only the test host
    /// lowers it (issue 12.6: each hash then takes microseconds, not a tenth of a second); never set it
    /// in a deployment. A hash keeps the count it was made with, so either verifies.
    /// </summary>
    public const string PasswordHashIterationsSetting = "Aftercare:PasswordHashIterations";

    /// <summary>When the session began, kept in the cookie's properties: sliding renewals keep it.</summary>
    public const string SignedInAt = "aftercare:signed-in-at";

    public static IServiceCollection AddAftercareIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        var security = SecurityOptions.From(configuration);
        services.AddSingleton(security);
        services.AddSingleton<Account.SignInThrottle>();
        var iterations = configuration.GetValue(PasswordHashIterationsSetting, PasswordHashIterations);
        services.Configure<PasswordHasherOptions>(o => o.IterationCount = iterations);
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromSeconds(security.AccountCheckSeconds));
        services.AddIdentityCore<AftercareUser>(o =>
            {
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = MaxFailedSignIns;
                o.Lockout.DefaultLockoutTimeSpan = LockoutPeriod;
                // NCSC: length and a block-list of common passwords (PasswordPolicy), not composition
                // rules, which lead to Password1! and refuse a long passphrase.
                o.Password.RequiredLength = 12;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 4;
                o.User.RequireUniqueEmail = true;
                o.SignIn.RequireConfirmedAccount = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AftercareDbContext>()
            .AddPasswordValidator<PasswordPolicy>()
            // Identity's store, with authenticator keys encrypted at rest.
            .AddUserStore<AftercareUserStore>()
            .AddSignInManager()
            .AddDefaultTokenProviders()
            // Replaces Identity's authenticator provider: the app's clock, and each code accepted once.
            .AddTokenProvider<Authenticator>(TokenOptions.DefaultAuthenticatorProvider)
            .AddClaimsPrincipalFactory<AftercareClaims>();

        services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/signin";
            o.LogoutPath = "/signout";
            o.AccessDeniedPath = "/denied";
            o.Cookie.Name = "aftercare";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            // An unattended screen on a ward: the session ends after a while unused, and in any case
            // some hours after sign-in, however busy.
            o.ExpireTimeSpan = TimeSpan.FromMinutes(security.InactivityMinutes);
            o.SlidingExpiration = true;
            o.Events.OnValidatePrincipal = async ctx =>
            {
                var now = (ctx.Options.TimeProvider ?? TimeProvider.System).GetUtcNow();
                if (!ctx.Properties.Items.TryGetValue(SignedInAt, out var at)
                    || !DateTimeOffset.TryParse(at, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var signedIn)
                    || now - signedIn > TimeSpan.FromHours(security.SessionHours))
                {
                    ctx.RejectPrincipal();
                    await ctx.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
                    return;
                }

                // Signing out, disabling the account and changing its roles all change the security
                // stamp: a cookie holding the old one is refused on its very next request (issue 17.4),
                // not at the next periodic check. One indexed read of one column per request.
                if (!await StampIsCurrent(ctx))
                {
                    ctx.RejectPrincipal();
                    await ctx.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
                    return;
                }

                // Re-reads the account each AccountCheckSeconds, so its roles are read afresh.
                await SecurityStampValidator.ValidatePrincipalAsync(ctx);
            };
            // The JSON API answers 401/403; pages redirect to sign-in.
            o.Events.OnRedirectToLogin = ctx => ApiOr(ctx.Request, ctx.Response, StatusCodes.Status401Unauthorized, ctx.RedirectUri);
            o.Events.OnRedirectToAccessDenied = ctx => ApiOr(ctx.Request, ctx.Response, StatusCodes.Status403Forbidden, ctx.RedirectUri);
        });

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.DirectCare, p => p.RequireRole(Roles.Clinician, Roles.AftercareWorker, Roles.Therapist))
            .AddPolicy(Policies.RegisterPresentations, p => p.RequireRole(Roles.Clinician, Roles.AftercareWorker))
            .AddPolicy(Policies.Administer, p => p.RequireRole(Roles.Administrator))
            .AddPolicy(Policies.ReviewPrivacy, p => p.RequireRole(Roles.PrivacyLead))
            .AddPolicy(Policies.ReadAudit, p => p.RequireRole(Roles.Administrator, Roles.PrivacyLead))
            .AddPolicy(Policies.Aggregates, p => p.RequireRole(Roles.ServiceManager));
        services.AddCascadingAuthenticationState();
        return services;
    }

    private static async Task<bool> StampIsCurrent(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var claimType = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<IdentityOptions>>().Value.ClaimsIdentity.SecurityStampClaimType;
        var id = context.Principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        var stamp = context.Principal?.FindFirstValue(claimType);
        if (id is null || string.IsNullOrEmpty(stamp))
        {
            return false;
        }

        var db = services.GetRequiredService<AftercareDbContext>();
        var current = await db.Users.AsNoTracking().Where(u => u.Id == id).Select(u => u.SecurityStamp).FirstOrDefaultAsync(context.HttpContext.RequestAborted);
        return string.Equals(current, stamp, StringComparison.Ordinal);
    }

    /// <summary>
    /// A user signed in with a one-time password may only choose their own password: every other
    /// page sends them there, and the API refuses with a reason.
    /// </summary>
    public static WebApplication UsePasswordChangeWhenRequired(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (context.User.HasClaim(AftercareClaims.MustChangePassword, "true")
                && !path.StartsWithSegments("/account/password") && !path.StartsWithSegments("/signout")
                && !path.StartsWithSegments("/assets") && !path.StartsWithSegments("/api/session"))
            {
                if (path.StartsWithSegments("/api"))
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    await context.Response.WriteAsJsonAsync(new { title = "Choose your own password first.", detail = "This account was given a one-time password; change it at /account/password.", status = 403 });
                    return;
                }

                context.Response.Redirect("/account/password");
                return;
            }

            await next(context);
        });
        return app;
    }

    private static Task ApiOr(HttpRequest request, HttpResponse response, int status, string redirect)
    {
        if (request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/fhir"))
        {
            response.StatusCode = status;
        }
        else
        {
            response.Redirect(redirect);
        }

        return Task.CompletedTask;
    }

    /// <summary>The signed-in user as the use cases see them.</summary>
    public static Actor ToActor(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new Actor(
            user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "",
            user.Identity?.Name ?? "",
            user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToList());
    }
}

/// <summary>Adds to the sign-in cookie whether the user must still replace a one-time password.</summary>
public sealed class AftercareClaims(UserManager<AftercareUser> users, RoleManager<IdentityRole> roles, Microsoft.Extensions.Options.IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<AftercareUser, IdentityRole>(users, roles, options)
{
    public const string MustChangePassword = "aftercare:must_change_password";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AftercareUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var identity = await base.GenerateClaimsAsync(user);
        if (user.MustChangePassword)
        {
            identity.AddClaim(new Claim(MustChangePassword, "true"));
        }

        return identity;
    }
}
