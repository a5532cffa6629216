using Aftercare.App.Audit;
using Aftercare.Domain.Audit;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Aftercare.Tests;

/// <summary>
/// Issue 16: on PostgreSQL the audit is partitioned by month (ADR 0016), so that a month long past
/// can be archived, and the chain still verifies across the partitions. A service upgrading keeps
/// every event it had. SQLite keeps one table (nothing to see there).
/// </summary>
public sealed class AuditPartitionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The last migration before the audit was partitioned.</summary>
    private const string BeforePartitioning = "20261204192127_PersonVoice";

    private static readonly DateTimeOffset January = new(2026, 1, 14, 9, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_audit_kept_before_the_upgrade_moves_into_monthly_partitions_and_its_chain_still_verifies()
    {
        if (AuditCopy.IsSqlite)
        {
            Assert.Skip("The audit is partitioned on PostgreSQL only.");
        }

        await using var copy = await AuditCopy.CreateAsync(BeforePartitioning);
        // Three months of a service's audit, written and sealed as Aftercare writes it, before the upgrade.
        await Write(copy, January, 3);
        await Write(copy, January.AddMonths(1), 2);
        // The last moment of March, UTC: March's, not April's.
        await Write(copy, new DateTimeOffset(2026, 3, 31, 23, 59, 59, TimeSpan.Zero), 4);
        var before = await copy.Use(db => db.AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync(Ct));

        await copy.Use(async db =>
        {
            await db.Database.MigrateAsync(Ct);
            return 0;
        });

        var partitions = await copy.Use(db => AuditPartitions.ListAsync(db, Ct));
        Assert.Equal(3L, Events(partitions, "AuditEvents_2026_01"));
        Assert.Equal(2L, Events(partitions, "AuditEvents_2026_02"));
        Assert.Equal(4L, Events(partitions, "AuditEvents_2026_03"));
        Assert.Equal(0L, Events(partitions, "AuditEvents_default"));
        // Every event kept as it was, to the hash and MAC.
        var after = await copy.Use(db => db.AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync(Ct));
        Assert.Equal(before.Select(e => (e.Id, e.Sequence, e.Hash, e.Mac)), after.Select(e => (e.Id, e.Sequence, e.Hash, e.Mac)));
        var report = await copy.VerifyAsync();
        Assert.True(report.IsIntact, report.Broken?.Explanation);
        Assert.Equal(9, report.Checked);

        // Writing goes on after the upgrade: new ids, this month's partition, one chain.
        await Write(copy, DateTimeOffset.UtcNow, 2);
        var thisMonth = $"AuditEvents_{DateTimeOffset.UtcNow:yyyy_MM}";
        Assert.Equal(2L, Events(await copy.Use(db => AuditPartitions.ListAsync(db, Ct)), thisMonth));
        report = await copy.VerifyAsync();
        Assert.True(report.IsIntact, report.Broken?.Explanation);
        Assert.Equal(11, report.Checked);

        // The CLI says where the events are held.
        var run = await CliTests.Aftercare(null, "audit", "verify", "--db", copy.Database);
        Assert.True(run.Code == 0, run.Err);
        Assert.Contains("AuditEvents_2026_01: 3", run.Out, StringComparison.Ordinal);
        Assert.Matches("The audit trail is intact: 11 events checked\\.", run.Out);
    }

    [Fact]
    public async Task No_partition_can_be_emptied_or_changed_and_an_event_of_a_month_not_made_yet_is_still_kept()
    {
        if (AuditCopy.IsSqlite)
        {
            Assert.Skip("The audit is partitioned on PostgreSQL only.");
        }

        await using var copy = await AuditCopy.CreateAsync();
        var thisMonth = $"AuditEvents_{DateTimeOffset.UtcNow:yyyy_MM}";
        await Write(copy, DateTimeOffset.UtcNow, 2);
        // Append-only holds for each month's partition, not only for the table as a whole.
        foreach (var sql in new[] { $"""TRUNCATE "{thisMonth}" """, $"""DELETE FROM "{thisMonth}" """, $"""UPDATE "{thisMonth}" SET "EntityId" = 'changed'""", """TRUNCATE "AuditEvents" """ })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => copy.Sql(sql));
            Assert.Contains("Audit events cannot be changed or removed", refused.MessageText, StringComparison.Ordinal);
        }

        // Years ahead, no partition made yet: the write is not refused; the event waits in the default partition.
        await Write(copy, new DateTimeOffset(2031, 5, 1, 12, 0, 0, TimeSpan.Zero), 1);
        var partitions = await copy.Use(db => AuditPartitions.ListAsync(db, Ct));
        Assert.Equal(1L, Events(partitions, "AuditEvents_default"));
        Assert.Equal(2L, Events(partitions, thisMonth));
        // This month and the three ahead are made, and making them again makes none.
        Assert.Equal(AuditPartitions.MonthsAhead + 1, partitions.Count(p => p.Partition != "AuditEvents_default"));
        Assert.Equal(0, await copy.Use(db => AuditPartitions.EnsureAheadAsync(db, Ct)));
        var report = await copy.VerifyAsync();
        Assert.True(report.IsIntact, report.Broken?.Explanation);
        Assert.Equal(3, report.Checked);
    }

    private static long? Events(IReadOnlyList<(string Partition, long Events)> partitions, string name) =>
        partitions.Where(p => p.Partition == name).Select(p => (long?)p.Events).SingleOrDefault();

    private static Task<int> Write(AuditCopy copy, DateTimeOffset at, int count) => copy.Use(async db =>
    {
        for (var i = 0; i < count; i++)
        {
            db.AuditEvents.Add(AuditEvent.Record(at, "synthetic-admin", "admin@example.org", AuditAction.AuditSearched, AuditPurpose.Administration));
        }

        return await db.SaveChangesAsync(Ct);
    });
}
