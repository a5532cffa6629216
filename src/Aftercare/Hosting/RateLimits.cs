using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Aftercare.Fhir;
using Microsoft.AspNetCore.RateLimiting;

namespace Aftercare.Hosting;

/// <summary>
/// Rate limits (ASP.NET Core's own limiter), answering 429 with Retry-After: sign-in, code and token
/// requests per client address, before authentication (the token endpoint answers there); then
/// /api and /fhir per signed-in user. Limits are Aftercare:Security:RateLimits in appsettings.json.
/// </summary>
public static class RateLimits
{
    private static readonly string[] SignInPaths = ["/signin", "/signin/code", "/api/session", Smart.SmartSetup.TokenPath];

    /// <summary>A person's own pages, opened with the token in their private link and no sign-in.</summary>
    private static readonly string[] PrivateLinkPaths = ["/my-plan", "/my/setup", "/feedback", "/opt-out"];

    public static WebApplication UseSignInRateLimit(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var limits = app.Services.GetRequiredService<SecurityOptions>().RateLimits;
        app.UseRateLimiter(Options(context =>
        {
            var path = context.Request.Path;
            if (HttpMethods.IsPost(context.Request.Method)
                && (SignInPaths.Any(p => path.Equals(p, StringComparison.OrdinalIgnoreCase))
                    // The person's own sign-in: passkeys, asking for a code and typing it (issue 14.1).
                    || path.StartsWithSegments("/my", StringComparison.OrdinalIgnoreCase)))
            {
                return Window("sign-in " + ClientAddress(context), limits.SignInPerMinute);
            }

            // A private link's token is the only key to the page: guessing tokens is slowed per address (issue 17.12e).
            return PrivateLinkPaths.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase))
                ? Window("private link " + ClientAddress(context), limits.PrivateLinkPerMinute)
                : RateLimitPartition.GetNoLimiter("");
        }));
        return app;
    }

    public static WebApplication UseApiRateLimit(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var limit = app.Services.GetRequiredService<SecurityOptions>().RateLimits.ApiPerMinute;
        app.UseRateLimiter(Options(context =>
        {
            if (!context.Request.Path.StartsWithSegments("/api") && !context.Request.Path.StartsWithSegments("/fhir"))
            {
                return RateLimitPartition.GetNoLimiter("");
            }

            var user = context.User.FindFirstValue(ClaimTypes.NameIdentifier);
            return Window(user is null ? "address " + ClientAddress(context) : "user " + user, limit);
        }));
        return app;
    }

    private static RateLimitPartition<string> Window(string key, int perMinute) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, perMinute),
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });

    /// <summary>The connection's address, or the one a reverse proxy on this machine forwarded (WebSetup).</summary>
    public static string ClientAddress(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
    }

    private static RateLimiterOptions Options(Func<HttpContext, RateLimitPartition<string>> partition) => new()
    {
        GlobalLimiter = PartitionedRateLimiter.Create(partition),
        RejectionStatusCode = StatusCodes.Status429TooManyRequests,
        OnRejected = Refuse,
    };

    /// <summary>429 in each edge's own vocabulary: ProblemDetails, OperationOutcome, or a plain page.</summary>
    private static async ValueTask Refuse(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 60;
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var message = $"Too many requests. Try again in {seconds} seconds.";
        if (context.Request.Path.StartsWithSegments("/fhir"))
        {
            await Outcomes.Fail(StatusCodes.Status429TooManyRequests, Hl7.Fhir.Model.OperationOutcome.IssueType.Throttled, message).ExecuteAsync(context);
        }
        else if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/connect"))
        {
            await TypedResults.Problem(title: "Too many requests.", detail: message, statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(context);
        }
        else
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(
                "<!doctype html><html lang=\"en\"><head><title>Too many requests - Aftercare</title><link rel=\"stylesheet\" href=\"/assets/app.css\"></head>"
                + $"<body><main class=\"page\"><h1>Too many requests</h1><p>{message} Nothing you entered was lost that was already saved.</p>"
                + "<p><a href=\"/\">Back to the start</a></p></main></body></html>", cancellationToken);
        }
    }
}
