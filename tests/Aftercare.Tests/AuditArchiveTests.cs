using System.IO.Compression;
using Aftercare.App.Audit;
using Aftercare.Domain.Audit;
using Microsoft.EntityFrameworkCore;
using Kind = Aftercare.App.Audit.VerifyAudit.BreakKind;

namespace Aftercare.Tests;

/// <summary>
/// Issue 16 (ADR 0017): whole months long past are archived to a file with `aftercare audit
/// archive`, the database keeps a signed anchor, and `aftercare audit verify` checks what is left
/// from that anchor, and an archive file on its own, years later.
/// </summary>
public sealed class AuditArchiveTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset ThisMonth = new(DateTimeOffset.UtcNow.Year, DateTimeOffset.UtcNow.Month, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Three months, half a year back: the first two are archived.</summary>
    private static readonly DateTimeOffset First = ThisMonth.AddMonths(-6);

    private static string MonthOf(DateTimeOffset month) => month.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task An_archived_month_leaves_a_chain_that_still_verifies()
    {
        await using var copy = await ThreeMonths();
        var folder = Directory.CreateTempSubdirectory("aftercare-archive-").FullName;
        var file = Path.Combine(folder, "audit-1.jsonl.gz");

        var run = await Archive(copy, First.AddMonths(2), file);

        Assert.True(run.Code == 0, run.Err);
        Assert.Contains($"Archived 5 audit events of {MonthOf(First)} to {MonthOf(First.AddMonths(1))} (positions 1 to 5)", run.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(file));
        // The two months are gone from the database; the third, this month's and the archive's own event stay.
        var left = await copy.Use(db => db.AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync(Ct));
        Assert.Equal([6, 7, 8, 9, 10, 11, 12], left.Select(e => e.Sequence));
        var archived = Assert.Single(left, e => e.Action == AuditAction.AuditArchived);
        Assert.Null(archived.PersonId);
        Assert.Equal($"{MonthOf(First)} to {MonthOf(First.AddMonths(1))}: 5 events, positions 1-5", archived.EntityId);
        var anchor = await copy.Use(db => db.AuditArchives.AsNoTracking().SingleAsync(Ct));
        Assert.Equal((5L, 5L), (anchor.HeadPosition, anchor.Events));
        if (!AuditCopy.IsSqlite)
        {
            var partitions = await copy.Use(db => AuditPartitions.ListAsync(db, Ct));
            Assert.DoesNotContain(partitions, p => p.Partition == $"AuditEvents_{First:yyyy_MM}" || p.Partition == $"AuditEvents_{First.AddMonths(1):yyyy_MM}");
            Assert.Contains(partitions, p => p.Partition == $"AuditEvents_{First.AddMonths(2):yyyy_MM}" && p.Events == 4);
        }

        var verify = await CliTests.Aftercare(null, "audit", "verify", "--db", copy.Database);
        Assert.True(verify.Code == 0, verify.Err);
        Assert.Contains($"Started from the archive anchor: {MonthOf(First)} to {MonthOf(First.AddMonths(1))} archived", verify.Out, StringComparison.Ordinal);
        Assert.Contains("follows on from position 5", verify.Out, StringComparison.Ordinal);
        Assert.Contains("The audit trail is intact: 7 events checked.", verify.Out, StringComparison.Ordinal);

        // And the next month, later: the chain left starts from the newer anchor.
        var second = await Archive(copy, First.AddMonths(3), Path.Combine(folder, "audit-2.jsonl.gz"));
        Assert.True(second.Code == 0, second.Err);
        var report = await copy.VerifyAsync();
        Assert.True(report.IsIntact, report.Broken?.Explanation);
        Assert.Equal(9L, report.Archive!.HeadPosition);
        Assert.Equal(4, report.Checked);
    }

    [Fact]
    public async Task Verify_reports_events_removed_after_the_archive_anchor()
    {
        await using var copy = await ThreeMonths();
        var folder = Directory.CreateTempSubdirectory("aftercare-archive-").FullName;
        Assert.Equal(0, (await Archive(copy, First.AddMonths(2), Path.Combine(folder, "a.jsonl.gz"))).Code);
        await copy.DisableAppendOnlyAsync();

        // The first event after the anchor, then one further on.
        await copy.Sql("""DELETE FROM "AuditEvents" WHERE "Sequence" = 6""");
        var report = await copy.VerifyAsync();
        Assert.Equal(Kind.Deleted, report.Broken?.Kind);
        Assert.Equal(6L, report.Broken!.Position);
        Assert.True(report.LastGood is { Archived: true, Position: 5 });

        var run = await CliTests.Aftercare(null, "audit", "verify", "--db", copy.Database);
        Assert.Equal(1, run.Code);
        Assert.Contains("The audit trail is broken at position 6: an event was deleted.", run.Err, StringComparison.Ordinal);
        Assert.Contains("Last good event: position 5, in the archive.", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forged_anchor_fails_verification()
    {
        await using var copy = await ThreeMonths();
        // Someone removes the first two months straight from the table and writes an anchor to cover it, without the key.
        var fifth = await copy.Use(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Sequence == 5, Ct));
        await copy.DisableAppendOnlyAsync();
        await copy.Sql("""DELETE FROM "AuditEvents" WHERE "Sequence" <= 5""");
        Assert.Equal(Kind.Deleted, (await copy.VerifyAsync()).Broken?.Kind);
        await copy.Use(db =>
        {
            var forged = AuditArchive.Record(Guid.NewGuid(), DateTimeOffset.UtcNow, MonthOf(First), MonthOf(First.AddMonths(1)), 5, 1, 5, 5, fifth.Hash, [], new string('a', 64));
            forged.Sign(new string('b', 64));
            db.AuditArchives.Add(forged);
            return db.SaveChangesAsync(Ct);
        });

        var report = await copy.VerifyAsync();
        Assert.Equal(Kind.Modified, report.Broken?.Kind);
        Assert.Contains("anchor of the archive", report.Broken!.Explanation, StringComparison.Ordinal);

        // A genuine anchor edited to cover more than was archived fails the same way.
        await using var archivedCopy = await ThreeMonths();
        var folder = Directory.CreateTempSubdirectory("aftercare-archive-").FullName;
        Assert.Equal(0, (await Archive(archivedCopy, First.AddMonths(2), Path.Combine(folder, "a.jsonl.gz"))).Code);
        await archivedCopy.Sql(AuditCopy.IsSqlite ? """DROP TRIGGER "AuditArchives_no_update";""" : """ALTER TABLE "AuditArchives" DISABLE TRIGGER USER;""");
        var sixth = await archivedCopy.Use(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Sequence == 6, Ct));
        await archivedCopy.DisableAppendOnlyAsync();
        await archivedCopy.Sql("""DELETE FROM "AuditEvents" WHERE "Sequence" = 6""");
        await archivedCopy.Sql($"""UPDATE "AuditArchives" SET "HeadPosition" = 6, "HeadHash" = '{sixth.Hash}'""");
        var edited = await CliTests.Aftercare(null, "audit", "verify", "--db", archivedCopy.Database);
        Assert.Equal(1, edited.Code);
        Assert.Contains("carries no valid MAC", edited.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Archive_refuses_the_current_month_and_changes_nothing()
    {
        await using var copy = await ThreeMonths();
        var file = Path.Combine(Directory.CreateTempSubdirectory("aftercare-archive-").FullName, "a.jsonl.gz");
        var before = await Snapshot(copy);

        foreach (var month in new[] { ThisMonth, ThisMonth.AddMonths(1), ThisMonth.AddYears(1) })
        {
            var run = await Archive(copy, month, file);
            Assert.Equal(2, run.Code);
            Assert.Contains("only months before last month can be archived", run.Err, StringComparison.Ordinal);
            AssertOneLine(run.Err);
        }

        Assert.False(File.Exists(file));
        Assert.Equal(before, await Snapshot(copy));
    }

    [Fact]
    public async Task Archive_refuses_a_bad_month_an_existing_file_no_events_and_a_chain_that_does_not_verify_and_changes_nothing()
    {
        await using var copy = await ThreeMonths();
        var folder = Directory.CreateTempSubdirectory("aftercare-archive-").FullName;
        var file = Path.Combine(folder, "a.jsonl.gz");
        var before = await Snapshot(copy);

        foreach (var bad in new[] { "2026-1", "2026-13", "March", "2026-03-01" })
        {
            var run = await CliTests.Aftercare(null, "audit", "archive", "--before", bad, "--out", file, "--db", copy.Database);
            Assert.Equal(2, run.Code);
            Assert.Contains("--before takes a month as YYYY-MM", run.Err, StringComparison.Ordinal);
            AssertOneLine(run.Err);
        }

        var nothing = await Archive(copy, First, file);
        Assert.Equal(2, nothing.Code);
        Assert.Contains("There are no audit events before", nothing.Err, StringComparison.Ordinal);

        var existing = Path.Combine(folder, "kept.jsonl.gz");
        await File.WriteAllTextAsync(existing, "an earlier archive", Ct);
        var over = await Archive(copy, First.AddMonths(2), existing);
        Assert.Equal(2, over.Code);
        Assert.Contains("is there already", over.Err, StringComparison.Ordinal);
        Assert.Equal("an earlier archive", await File.ReadAllTextAsync(existing, Ct));

        await copy.DisableAppendOnlyAsync();
        await copy.Sql("""UPDATE "AuditEvents" SET "EntityId" = 'changed' WHERE "Sequence" = 3""");
        var broken = await Archive(copy, First.AddMonths(2), file);
        Assert.Equal(2, broken.Code);
        Assert.Contains("The audit does not verify, so nothing was archived", broken.Err, StringComparison.Ordinal);
        AssertOneLine(broken.Err);

        Assert.False(File.Exists(file));
        Assert.Equal(before.Events, (await Snapshot(copy)).Events);
        Assert.Equal(0, (await Snapshot(copy)).Anchors);
    }

    [Fact]
    public async Task Archive_refuses_months_whose_events_wait_in_the_default_partition_and_changes_nothing()
    {
        if (AuditCopy.IsSqlite)
        {
            Assert.Skip("The audit is partitioned on PostgreSQL only.");
        }

        await using var copy = await AuditCopy.CreateAsync();
        // The month before any partition was made: its events are in the default partition.
        await Write(copy, First.AddMonths(-1), 2);
        await MakePartitions(copy, 1);
        await Write(copy, First.AddDays(1), 2);
        var file = Path.Combine(Directory.CreateTempSubdirectory("aftercare-archive-").FullName, "a.jsonl.gz");
        var before = await Snapshot(copy);

        var run = await Archive(copy, First.AddMonths(1), file);

        Assert.Equal(2, run.Code);
        Assert.Contains("2 of the 4 events before", run.Err, StringComparison.Ordinal);
        Assert.Contains("default partition", run.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
        Assert.Equal(before, await Snapshot(copy));
    }

    [Fact]
    public async Task The_archive_file_verifies_on_its_own_years_later()
    {
        var folder = Directory.CreateTempSubdirectory("aftercare-archive-").FullName;
        var file = Path.Combine(folder, "audit.jsonl.gz");
        var keys = Path.Combine(folder, "keys");
        await using (var copy = await ThreeMonths())
        {
            Assert.Equal(0, (await Archive(copy, First.AddMonths(2), file)).Code);
            var joined = await CliTests.Aftercare(null, "audit", "verify", "--archive", file, "--db", copy.Database);
            Assert.True(joined.Code == 0, joined.Err);
            Assert.Contains("It joins its anchor in", joined.Out, StringComparison.Ordinal);
            Directory.CreateDirectory(keys);
            File.Copy(copy.Seal.KeyPath, Path.Combine(keys, AuditSeal.KeyFileName));
        }

        // The database is long gone; the file and the keys folder's backup are kept.
        var alone = await CliTests.Aftercare(null, "audit", "verify", "--archive", file, "--keys", keys);
        Assert.True(alone.Code == 0, alone.Err);
        Assert.Contains($"is intact: 5 events of {MonthOf(First)} to {MonthOf(First.AddMonths(1))} checked (positions 1 to 5)", alone.Out, StringComparison.Ordinal);
        Assert.Contains("Not checked against a database", alone.Out, StringComparison.Ordinal);

        // Readable without Aftercare: a header line, then one JSON object per event with every column.
        var lines = await ReadLines(file);
        Assert.Equal(6, lines.Count);
        Assert.Contains("\"format\":\"aftercare-audit-archive\"", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"previousHash\":\"0000000000000000000000000000000000000000000000000000000000000000\"", lines[1], StringComparison.Ordinal);

        // A changed event, a removed one, or another key: each is caught.
        var changed = Path.Combine(folder, "changed.jsonl.gz");
        await WriteLines(changed, [.. lines.Select((l, i) => i == 3 ? l.Replace("synthetic-admin", "someone-else", StringComparison.Ordinal) : l)]);
        var run = await CliTests.Aftercare(null, "audit", "verify", "--archive", changed, "--keys", keys);
        Assert.Equal(1, run.Code);
        Assert.Contains("position 3 was changed after it was written", run.Err, StringComparison.Ordinal);

        var cut = Path.Combine(folder, "cut.jsonl.gz");
        await WriteLines(cut, [.. lines.Where((_, i) => i != 5)]);
        Assert.Contains("events were removed from it", (await CliTests.Aftercare(null, "audit", "verify", "--archive", cut, "--keys", keys)).Err, StringComparison.Ordinal);

        var otherKeys = Path.Combine(folder, "other-keys");
        new AuditSeal(otherKeys, "other", Microsoft.Extensions.Logging.Abstractions.NullLogger<AuditSeal>.Instance).EnsureKey();
        Assert.Contains("no valid MAC", (await CliTests.Aftercare(null, "audit", "verify", "--archive", file, "--keys", otherKeys)).Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_event_of_an_archived_month_sealed_after_the_next_months_first_is_archived_without_breaking_the_chain()
    {
        await using var copy = await AuditCopy.CreateAsync();
        await MakePartitions(copy, 3);
        // Two writers at midnight: the last event of a month is sealed after the first of the next.
        await Write(copy, First.AddDays(3), 2);
        await Write(copy, First.AddMonths(1).AddHours(1), 1);
        await Write(copy, First.AddMonths(1).AddTicks(-10), 1);
        await Write(copy, First.AddMonths(1).AddDays(2), 1);
        await Write(copy, First.AddMonths(2).AddDays(2), 1);
        var folder = Directory.CreateTempSubdirectory("aftercare-archive-").FullName;

        var first = await Archive(copy, First.AddMonths(1), Path.Combine(folder, "1.jsonl.gz"));
        Assert.True(first.Code == 0, first.Err);
        var anchor = await copy.Use(db => db.AuditArchives.AsNoTracking().SingleAsync(Ct));
        Assert.Equal((2L, 3L), (anchor.HeadPosition, anchor.Events));
        Assert.Equal([4L], anchor.GapHashes().Keys);
        var report = await copy.VerifyAsync();
        Assert.True(report.IsIntact, report.Broken?.Explanation);

        var second = await Archive(copy, First.AddMonths(2), Path.Combine(folder, "2.jsonl.gz"));
        Assert.True(second.Code == 0, second.Err);
        report = await copy.VerifyAsync();
        Assert.True(report.IsIntact, report.Broken?.Explanation);
        Assert.Equal((5L, ""), (report.Archive!.HeadPosition, report.Archive.Gaps));
        foreach (var name in new[] { "1.jsonl.gz", "2.jsonl.gz" })
        {
            var run = await CliTests.Aftercare(null, "audit", "verify", "--archive", Path.Combine(folder, name), "--db", copy.Database);
            Assert.True(run.Code == 0, run.Err);
        }
    }

    /// <summary>Three past months with 3, 2 and 4 events, then 2 of this month's: positions 1 to 11.</summary>
    private static async Task<AuditCopy> ThreeMonths()
    {
        var copy = await AuditCopy.CreateAsync();
        await MakePartitions(copy, 3);
        await Write(copy, First.AddDays(13).AddHours(9), 3);
        await Write(copy, First.AddMonths(1).AddDays(2), 2);
        // The last moment of the third month, UTC: that month's.
        await Write(copy, First.AddMonths(3).AddTicks(-10), 4);
        await Write(copy, DateTimeOffset.UtcNow, 2);
        return copy;
    }

    /// <summary>On PostgreSQL, the months' partitions, as a service running then would have made them.</summary>
    private static async Task MakePartitions(AuditCopy copy, int months)
    {
        if (!AuditCopy.IsSqlite)
        {
            for (var i = 0; i < months; i++)
            {
                await copy.Sql($"SELECT aftercare_audit_month('{First.AddMonths(i):yyyy-MM-dd}')");
            }
        }
    }

    private static Task<(int Code, string Out, string Err)> Archive(AuditCopy copy, DateTimeOffset before, string file) =>
        CliTests.Aftercare(null, "audit", "archive", "--before", MonthOf(before), "--out", file, "--db", copy.Database);

    private static Task<int> Write(AuditCopy copy, DateTimeOffset at, int count) => copy.Use(async db =>
    {
        for (var i = 0; i < count; i++)
        {
            db.AuditEvents.Add(AuditEvent.Record(at, "synthetic-admin", "admin@example.org", AuditAction.AuditSearched, AuditPurpose.Administration));
        }

        return await db.SaveChangesAsync(Ct);
    });

    private static Task<(long Events, long MaxPosition, int Anchors)> Snapshot(AuditCopy copy) => copy.Use(async db =>
        (await db.AuditEvents.LongCountAsync(Ct), await db.AuditEvents.MaxAsync(e => e.Sequence, Ct), await db.AuditArchives.CountAsync(Ct)));

    private static void AssertOneLine(string text) => Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));

    private static async Task<List<string>> ReadLines(string file)
    {
        await using var gzip = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return [.. (await reader.ReadToEndAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    private static async Task WriteLines(string file, IEnumerable<string> lines)
    {
        await using var gzip = new GZipStream(File.Create(file), CompressionLevel.Fastest);
        await using var writer = new StreamWriter(gzip);
        await writer.WriteAsync(string.Join('\n', lines) + "\n");
    }
}
