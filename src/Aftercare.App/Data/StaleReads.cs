using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Data;

/// <summary>
/// Where reads that may be a little stale go (issue 16): the dashboard and its CSV. With
/// <c>Aftercare:StandbyDatabase</c> set (PostgreSQL, e.g.
/// <c>Host=standby,primary;Target Session Attributes=prefer-standby;…</c>), they run on a streaming
/// standby, so a national dashboard never competes with the clinicians' writes; Npgsql chooses the
/// host, and falls back to the primary while no standby answers. Writes, record reads and the audit of
/// these views stay on the primary (<see cref="AftercareDbContext"/> from the request). Not set: null,
/// and the caller reads from the primary.
/// </summary>
public sealed class StaleReads(Func<AftercareDbContext>? open)
{
    public bool Configured => open is not null;

    /// <summary>A read-only context on the standby for the caller to dispose, or null to read from the primary.</summary>
    public AftercareDbContext? Open() => open?.Invoke();
}
