using Aftercare.App.Data;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;

namespace Aftercare.Smart;

/// <summary>
/// Clears out what OpenIddict's token table need not keep: a used client assertion once it has
/// expired (its jti can no longer be replayed: an expired assertion is refused anyway), and, as
/// OpenIddict's own pruning does, codes and tokens that ended more than two weeks ago. Runs at start
/// and then hourly, on the app's clock; it also makes the audit's monthly partitions ahead (ADR 0016). There was no cleanup job to join (the outbox worker sends
/// messages and is switched off where no messages go), so this is its own small one.
/// </summary>
public sealed partial class UsedAssertionPruning(IServiceScopeFactory scopes, TimeProvider clock, ILogger<UsedAssertionPruning> logger) : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromHours(1);

    /// <summary>How long OpenIddict's pruning keeps what has ended (its Quartz job's default).</summary>
    public static readonly TimeSpan Kept = TimeSpan.FromDays(14);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Wall time, as the bulk export worker's poll (BulkExportWorker.ExecuteAsync says why); the clock decides what has expired.
        using var timer = new PeriodicTimer(Every, TimeProvider.System);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e.GetType().Name);
            }
        }
        while (await Next(timer, stoppingToken));
    }

    private static async Task<bool> Next(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Removes the expired used assertions (returns how many) and prunes what OpenIddict would.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AftercareDbContext>();
        var now = clock.GetUtcNow();
        var removed = await db.Set<OpenIddictEntityFrameworkCoreToken>()
            .Where(t => t.Type == SmartClientAssertions.Replay.UsedAssertionType && t.ExpirationDate < now.UtcDateTime)
            .ExecuteDeleteAsync(ct);
        await scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>().PruneAsync(now - Kept, ct);
        await scope.ServiceProvider.GetRequiredService<IOpenIddictAuthorizationManager>().PruneAsync(now - Kept, ct);
        // The one hourly job, so it also keeps the audit's monthly partitions made ahead on PostgreSQL (ADR 0016).
        await App.Audit.AuditPartitions.EnsureAheadAsync(db, ct);
        return removed;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pruning used client assertions failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string error);
}
