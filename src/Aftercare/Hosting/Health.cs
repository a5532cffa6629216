using System.Text.Json;
using Aftercare.App.Data;
using Aftercare.Domain.Messaging;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aftercare.Hosting;

/// <summary>
/// `GET /health/live` (the process answers) and `GET /health/ready` (it can do its work: the
/// database answers and is migrated, the keys that encrypt clinical text work, the outbox is not
/// falling behind). For a load balancer or an orchestrator: no sign-in, no patient data, only the
/// name and state of each check. Built on ASP.NET Core's own health checks.
/// </summary>
public static class Health
{
    public const string Live = "/health/live";
    public const string Ready = "/health/ready";
    private const string ReadyTag = "ready";

    public static IServiceCollection AddAftercareHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseCheck>("database", tags: [ReadyTag])
            .AddCheck<KeysCheck>("keys", tags: [ReadyTag])
            .AddCheck<OutboxCheck>("outbox", tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        // Live runs no check: a slow database must not get a healthy process restarted.
        app.MapHealthChecks(Live, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync }).AllowAnonymous().DisableAntiforgery().WithMetadata(new Aftercare.Access.NoRecordAttribute());
        app.MapHealthChecks(Ready, new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync }).AllowAnonymous().DisableAntiforgery().WithMetadata(new Aftercare.Access.NoRecordAttribute());
        return app;
    }

    /// <summary>The state and each check's name, state and fixed description: never an exception's text (it could name a row).</summary>
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }

    /// <summary>The database answers, and every migration this build knows is applied.</summary>
    internal sealed class DatabaseCheck(AftercareDbContext db) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                if (!await db.Database.CanConnectAsync(cancellationToken))
                {
                    return HealthCheckResult.Unhealthy("The database does not answer.");
                }

                var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
                return pending == 0
                    ? HealthCheckResult.Healthy("Reachable and migrated.")
                    : HealthCheckResult.Unhealthy($"{App.Words.Count(pending, "migration")} not applied: run `aftercare migrate`.");
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy("The database does not answer.");
            }
        }
    }

    /// <summary>The key ring loads and a value encrypted now decrypts again (a wrong or unreadable keys folder fails here).</summary>
    internal sealed class KeysCheck(IDataProtectionProvider provider) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var protector = provider.CreateProtector("Aftercare.Health");
                var ok = protector.Unprotect(protector.Protect("health")) == "health";
                return Task.FromResult(ok ? HealthCheckResult.Healthy("Readable.") : HealthCheckResult.Unhealthy("The keys do not read back."));
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy("The keys cannot be read."));
            }
        }
    }

    /// <summary>The oldest message due and not yet sent is no older than the configured limit.</summary>
    internal sealed class OutboxCheck(AftercareDbContext db, TimeProvider clock, AftercareOptions options) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var limit = TimeSpan.FromMinutes(options.OutboxLagLimitMinutes);
            var cutoff = clock.GetUtcNow() - limit;
            try
            {
                var behind = await db.OutboxMessages.AsNoTracking().CountAsync(m => m.Status == MessageStatus.Pending && m.DueAt < cutoff, cancellationToken);
                return behind == 0
                    ? HealthCheckResult.Healthy($"Nothing due for longer than {App.Words.Count(options.OutboxLagLimitMinutes, "minute")}.")
                    : HealthCheckResult.Unhealthy($"{App.Words.Count(behind, "message")} due for longer than {App.Words.Count(options.OutboxLagLimitMinutes, "minute")}.");
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy("The outbox cannot be read.");
            }
        }
    }
}
