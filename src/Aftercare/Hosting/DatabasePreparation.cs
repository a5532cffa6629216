using Aftercare.App;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Demo;
using Aftercare.App.Programme;
using Aftercare.App.Referrals;
using Aftercare.App.Sites;
using Microsoft.AspNetCore.Identity;

namespace Aftercare.Hosting;

/// <summary>What happens before the first request: migrate, apply configured sites, seed the demo.</summary>
public static class DatabasePreparation
{
    public static async Task<DemoData.Seeded?> PrepareAsync(WebApplication app, bool migrate, bool demo, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<AftercareDbContext>();
        if (migrate)
        {
            await db.MigrateAsync(ct);
        }

        // The audit's MAC key is made at the first start, beside the Data Protection keys (ADR 0012).
        services.GetRequiredService<AuditSeal>().EnsureKey();
        // So are SMART's server keys (ADR 0018).
        Smart.SmartKeys.EnsureKeys(services);

        var options = services.GetRequiredService<AftercareOptions>();
        await SiteConfiguration.ApplyAsync(db, options.Sites, ct);
        await ServiceDirectory.ApplyAsync(db, options.Services, ct);
        if (!demo)
        {
            return null;
        }

        return await DemoData.SeedAsync(
            db,
            services.GetRequiredService<UserManager<AftercareUser>>(),
            services.GetRequiredService<RoleManager<IdentityRole>>(),
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<LocalTime>(),
            services.GetRequiredService<AftercareSettings>(),
            ct);
    }
}
