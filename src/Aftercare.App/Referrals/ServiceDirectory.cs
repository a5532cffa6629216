using Aftercare.App.Data;
using Aftercare.Domain.Referrals;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Referrals;

/// <summary>A service as configured (Aftercare:Services).</summary>
public sealed record ServiceSetting(string Code, string Name, ServiceKind Kind, string? Phone = null, string? Description = null);

/// <summary>The services directory is configuration, applied at start-up: clinical and non-clinical side by side.</summary>
public static class ServiceDirectory
{
    public static async Task ApplyAsync(AftercareDbContext db, IEnumerable<ServiceSetting> services, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(services);
        var known = await db.Services.ToDictionaryAsync(s => s.Code, ct);
        foreach (var setting in services)
        {
            if (known.TryGetValue(setting.Code, out var existing))
            {
                existing.Update(setting.Name, setting.Kind, setting.Phone, setting.Description);
            }
            else
            {
                var service = new ListedService(Guid.CreateVersion7(), setting.Code, setting.Name, setting.Kind, setting.Phone, setting.Description);
                db.Services.Add(service);
                known[setting.Code] = service;
            }
        }

        await db.SaveChangesAsync(ct);
    }

    public static async Task<IReadOnlyList<ListedService>> ListAsync(AftercareDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return (await db.Services.AsNoTracking().ToListAsync(ct)).OrderBy(s => !s.IsClinical).ThenBy(s => s.Name).ToList();
    }
}
