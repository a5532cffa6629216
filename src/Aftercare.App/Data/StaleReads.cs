using System.Diagnostics;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Data;

/// <summary>
/// Where reads that may be a little stale go (issue 16): the dashboard and its CSV, the programme
/// evaluation, the registry export and the FHIR bulk export. With <c>Aftercare:StandbyDatabase</c> set
/// (PostgreSQL, e.g. <c>Host=standby,primary;Target Session Attributes=prefer-standby;…</c>), they run
/// on a streaming standby, so national reporting never competes with the clinicians' writes; Npgsql
/// chooses the host, and falls back to the primary while no standby answers. Writes (a bulk export's
/// own state and files among them), record reads and the audit of these reads stay on the primary
/// (<see cref="AftercareDbContext"/> from the request). Not set: null, and the caller reads from the primary.
/// </summary>
public sealed class StaleReads(Func<AftercareDbContext>? open)
{
    public bool Configured => open is not null;

    /// <summary>A read-only context on the standby for the caller to dispose, or null to read from the primary.</summary>
    public AftercareDbContext? Open() => open?.Invoke();

    /// <summary>
    /// For a read that must not miss what was written before a point (a bulk export promises everything
    /// changed before its transactionTime): a context on the standby, held on one connection so that
    /// every read is from the same server, once <paramref name="caughtUp"/> is true there, e.g. it shows a
    /// row the primary committed at that point (replay keeps the primary's commit order, so everything
    /// committed before that row is there too). Asked again every tenth of a second for at most
    /// <paramref name="wait"/>; null if there is no standby or it is still further behind: read from the primary.
    /// </summary>
    public async Task<AftercareDbContext?> OpenCaughtUpAsync(Func<AftercareDbContext, CancellationToken, Task<bool>> caughtUp, TimeSpan wait, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caughtUp);
        if (Open() is not { } standby)
        {
            return null;
        }

        try
        {
            await standby.Database.OpenConnectionAsync(ct);
            var started = Stopwatch.GetTimestamp();
            while (!await caughtUp(standby, ct))
            {
                if (Stopwatch.GetElapsedTime(started) >= wait)
                {
                    await standby.DisposeAsync();
                    return null;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), ct); // polling the standby's replay, bounded by the wait
            }

            return standby;
        }
        catch
        {
            await standby.DisposeAsync();
            throw;
        }
    }
}
