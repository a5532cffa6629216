using Aftercare.App.Data;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Audit;

/// <summary>
/// The audit's monthly partitions on PostgreSQL (ADR 0016): this month's and the next
/// <see cref="MonthsAhead"/> months' are made before any event needs them. SQLite keeps one table.
/// </summary>
public static class AuditPartitions
{
    public const int MonthsAhead = 3;

    /// <summary>Makes the partitions still missing for this month and the months ahead; returns how many were made.</summary>
    public static async Task<int> EnsureAheadAsync(AftercareDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!db.Database.IsNpgsql())
        {
            return 0;
        }

        return await db.Database.SqlQuery<int>($"SELECT aftercare_audit_months_ahead({MonthsAhead}) AS \"Value\"").SingleAsync(ct);
    }

    /// <summary>The audit's partitions, oldest month first (the default partition last), with how many events each holds.</summary>
    public static async Task<IReadOnlyList<(string Partition, long Events)>> ListAsync(AftercareDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!db.Database.IsNpgsql())
        {
            return [];
        }

        var names = await db.Database.SqlQuery<string>($"""
            SELECT c.relname AS "Value" FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = '"AuditEvents"'::regclass ORDER BY c.relname = 'AuditEvents_default', c.relname
            """).ToListAsync(ct);
        var list = new List<(string, long)>(names.Count);
        foreach (var name in names)
        {
            // The name comes from the catalogue, never from a request.
#pragma warning disable EF1002
            var count = await db.Database.SqlQueryRaw<long>($"SELECT count(*) AS \"Value\" FROM \"{name}\"").SingleAsync(ct);
#pragma warning restore EF1002
            list.Add((name, count));
        }

        return list;
    }
}
