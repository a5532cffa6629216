using System.Security.Claims;
using Aftercare.App;
using Aftercare.App.Data;
using Aftercare.Domain.Users;
using Microsoft.AspNetCore.Identity;

namespace Aftercare.Hosting;

public static class Policies
{
    public const string DirectCare = "direct-care";
    public const string RegisterPresentations = "register-presentations";
    public const string Administer = "administer";
}

public static class IdentitySetup
{
    public const int MaxFailedSignIns = 5;

    public static readonly TimeSpan LockoutPeriod = TimeSpan.FromMinutes(15);

    public static IServiceCollection AddAftercareIdentity(this IServiceCollection services)
    {
        services.AddIdentityCore<AftercareUser>(o =>
            {
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = MaxFailedSignIns;
                o.Lockout.DefaultLockoutTimeSpan = LockoutPeriod;
                o.Password.RequiredLength = 12;
                o.User.RequireUniqueEmail = true;
                o.SignIn.RequireConfirmedAccount = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AftercareDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();

        services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/signin";
            o.LogoutPath = "/signout";
            o.AccessDeniedPath = "/denied";
            o.Cookie.Name = "aftercare";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            // The JSON API answers 401/403; pages redirect to sign-in.
            o.Events.OnRedirectToLogin = ctx => ApiOr(ctx.Request, ctx.Response, StatusCodes.Status401Unauthorized, ctx.RedirectUri);
            o.Events.OnRedirectToAccessDenied = ctx => ApiOr(ctx.Request, ctx.Response, StatusCodes.Status403Forbidden, ctx.RedirectUri);
        });

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.DirectCare, p => p.RequireRole(Roles.Clinician, Roles.AftercareWorker, Roles.Therapist))
            .AddPolicy(Policies.RegisterPresentations, p => p.RequireRole(Roles.Clinician, Roles.AftercareWorker))
            .AddPolicy(Policies.Administer, p => p.RequireRole(Roles.Administrator));
        services.AddCascadingAuthenticationState();
        return services;
    }

    private static Task ApiOr(HttpRequest request, HttpResponse response, int status, string redirect)
    {
        if (request.Path.StartsWithSegments("/api"))
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
