using System.Globalization;
using System.Runtime.CompilerServices;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Audit;

/// <summary>
/// Archives every whole UTC month of the audit before a given month (ADR 0017): verifies the chain,
/// writes the months' events to a file and flushes it to disk, checks the file as written, then in
/// one transaction records the anchor (signed with the audit's key), writes an
/// <see cref="AuditAction.AuditArchived"/> event and removes the months: on PostgreSQL by detaching
/// and dropping their partitions, on SQLite by a delete the append-only trigger is lifted for, in
/// that transaction only. Anything refused changes nothing.
/// </summary>
public static class ArchiveAudit
{
    public sealed record Outcome(string? Refused, AuditArchive? Anchor = null, IReadOnlyList<string>? Partitions = null);

    public static async Task<Outcome> Handle(AftercareDbContext db, TimeProvider clock, string? beforeMonth, string outPath, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentException.ThrowIfNullOrEmpty(outPath);
        if (AuditArchiveFile.TryMonth(beforeMonth) is not { } boundary)
        {
            return new($"--before takes a month as YYYY-MM, e.g. 2026-01 (every month before it is archived); \"{beforeMonth}\" is not one.");
        }

        var now = clock.GetUtcNow();
        var thisMonth = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        if (boundary >= thisMonth)
        {
            return new($"--before {beforeMonth}: only months before last month can be archived (the latest is --before {thisMonth.AddMonths(-1):yyyy-MM}); last month's events may still be arriving.");
        }

        var file = Path.GetFullPath(outPath);
        if (File.Exists(file) || Directory.Exists(file))
        {
            return new($"--out {file} is there already: an archive is never written over anything. Give a new file.");
        }

        if (!Directory.Exists(Path.GetDirectoryName(file)))
        {
            return new($"--out {file}: its folder is not there.");
        }

        var archived = db.AuditEvents.AsNoTracking().Where(e => e.At < boundary);
        var count = await archived.LongCountAsync(ct);
        if (count == 0)
        {
            return new($"There are no audit events before {beforeMonth} left to archive.");
        }

        var report = await VerifyAudit.Handle(db, null, ct);
        if (!report.IsIntact)
        {
            return new($"The audit does not verify, so nothing was archived: {AuditWords.Verdict(report)} {report.Broken!.Explanation}");
        }

        var partitions = await PartitionsBefore(db, boundary, count, ct);
        if (partitions.Refused is not null)
        {
            return new(partitions.Refused);
        }

        var first = await archived.OrderBy(e => e.Sequence).FirstAsync(ct);
        var last = await archived.OrderByDescending(e => e.Sequence).FirstAsync(ct);
        var earliest = await archived.MinAsync(e => e.At, ct);
        var previous = report.Archive;
        var previousGaps = previous?.GapHashes() ?? new Dictionary<long, string>();

        // The chain is archived from 1 up to the head; the events of archived months sealed after a
        // later month's first event (two writers at midnight) are archived too, as gaps above it.
        var firstLeft = await db.AuditEvents.Where(e => e.At >= boundary && e.Sequence > 0).MinAsync(e => (long?)e.Sequence, ct);
        var archivedTo = Math.Max(last.Sequence, Math.Max(previous?.HeadPosition ?? 0, previousGaps.Keys.DefaultIfEmpty(0).Max()));
        var head = firstLeft is { } left ? Math.Min(left - 1, archivedTo) : archivedTo;
        var above = await archived.Where(e => e.Sequence >= head).Select(e => new { e.Sequence, e.Hash }).ToListAsync(ct);
        var hashes = previousGaps.Concat(above.Select(a => KeyValuePair.Create(a.Sequence, a.Hash))).ToDictionary();
        if (previous is not null)
        {
            hashes.TryAdd(previous.HeadPosition, previous.HeadHash);
        }

        var gaps = hashes.Where(h => h.Key > head).Select(h => (h.Key, h.Value)).ToList();
        var anchor = AuditArchive.Record(Guid.NewGuid(), now, earliest.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            boundary.AddMonths(-1).ToString("yyyy-MM", CultureInfo.InvariantCulture), count, first.Sequence, last.Sequence, head, head == 0 ? AuditEvent.Genesis : hashes[head], gaps, "");
        var seal = AuditSeal.Of(db);
        var unsigned = new AuditArchiveFile.Header(AuditArchiveFile.Format, AuditArchiveFile.Version, anchor.Archive, anchor.ArchivedAt, anchor.FromMonth, anchor.ToMonth,
            boundary.ToString("yyyy-MM", CultureInfo.InvariantCulture), count, first.Sequence, first.PreviousHash, last.Sequence, last.Hash, head, anchor.HeadHash, anchor.Gaps,
            AuditArchiveFile.Columns, "");
        var header = unsigned with { Mac = seal.ArchiveMac(unsigned.SignedText()) };

        await AuditArchiveFile.WriteAsync(file, header, InChainOrder(archived, ct), ct);
        try
        {
            var written = await AuditArchiveFile.VerifyAsync(file, seal, ct);
            if (!written.IsIntact || written.Events != count)
            {
                throw new InvalidOperationException($"The archive file did not check as written ({written.Problem}); nothing was removed.");
            }

            anchor = AuditArchive.Record(anchor.Archive, anchor.ArchivedAt, anchor.FromMonth, anchor.ToMonth, count, first.Sequence, last.Sequence, head, anchor.HeadHash, gaps, written.Sha256);
            anchor.Sign(seal.ArchiveMac(anchor.SignedText()));
            var refused = await RemoveAsync(db, clock, anchor, boundary, partitions.Names, ct);
            if (refused is not null)
            {
                File.Delete(file);
                return new(refused);
            }
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.InsufficientPrivilege)
        {
            // The app's own role does not own the tables (docs/security.md), so it cannot drop a partition.
            File.Delete(file);
            return new("Nothing was archived: dropping a month's partition needs the role that owns the tables (the one `aftercare migrate` runs as); give --db with that role.");
        }
        catch
        {
            File.Delete(file);
            throw;
        }

        return new(null, anchor, partitions.Names);
    }

    /// <summary>In one transaction, holding the chain's lock: the anchor, the event saying so, and the months gone.</summary>
    private static async Task<string?> RemoveAsync(AftercareDbContext db, TimeProvider clock, AuditArchive anchor, DateTimeOffset boundary, IReadOnlyList<string> partitions, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        _ = await db.LockAuditChainAndReadHeadAsync(ct);
        var archived = db.AuditEvents.Where(e => e.At < boundary);
        if (await archived.LongCountAsync(ct) != anchor.Events || await archived.MaxAsync(e => e.Sequence, ct) != anchor.LastPosition)
        {
            return "Audit events of the months being archived changed while the file was written: nothing was archived. Run it again.";
        }

        db.AuditArchives.Add(anchor);
        db.Audit(clock, Actor.System, AuditAction.AuditArchived, AuditPurpose.Administration,
            entityId: string.Create(CultureInfo.InvariantCulture, $"{anchor.FromMonth} to {anchor.ToMonth}: {anchor.Events} events, positions {anchor.FirstPosition}-{anchor.LastPosition}"));
        await db.SaveChangesAsync(ct);
        if (db.Database.IsNpgsql())
        {
            foreach (var partition in partitions)
            {
                // The names come from the catalogue, never from a request.
#pragma warning disable EF1002
                await db.Database.ExecuteSqlRawAsync($"""ALTER TABLE "AuditEvents" DETACH PARTITION "{partition}"; DROP TABLE "{partition}";""", ct);
#pragma warning restore EF1002
            }
        }
        else
        {
            // SQLite's append-only trigger is lifted for this delete alone, inside this transaction (ADR 0017).
            await db.Database.ExecuteSqlRawAsync("""DROP TRIGGER "AuditEvents_no_delete";""", ct);
            var removed = await db.Database.ExecuteSqlAsync($"""DELETE FROM "AuditEvents" WHERE "At" < {boundary.UtcTicks}""", ct);
            await db.Database.ExecuteSqlRawAsync(SqliteNoDelete, ct);
            if (removed != anchor.Events)
            {
                return "The delete removed a different number of events from the one archived: nothing was archived.";
            }
        }

        await transaction.CommitAsync(ct);
        return null;
    }

    /// <summary>SQLite's append-only trigger on delete, exactly as the baseline migration makes it.</summary>
    private const string SqliteNoDelete = """
        CREATE TRIGGER "AuditEvents_no_delete" BEFORE DELETE ON "AuditEvents"
        BEGIN SELECT RAISE(ABORT, 'Audit events cannot be changed or removed (DELETE)'); END;
        """;

    /// <summary>On PostgreSQL, the month partitions before the boundary; refused if any archived event is in the default partition.</summary>
    private static async Task<(string? Refused, IReadOnlyList<string> Names)> PartitionsBefore(AftercareDbContext db, DateTimeOffset boundary, long count, CancellationToken ct)
    {
        if (!db.Database.IsNpgsql())
        {
            return (null, []);
        }

        var before = $"AuditEvents_{boundary:yyyy_MM}";
        var months = (await AuditPartitions.ListAsync(db, ct))
            .Where(p => p.Partition != "AuditEvents_default" && string.CompareOrdinal(p.Partition, before) < 0).ToList();
        var inMonths = months.Sum(p => p.Events);
        return inMonths == count
            ? (null, months.Select(p => p.Partition).ToList())
            : ($"{count - inMonths} of the {count} events before {boundary:yyyy-MM} are in the default partition, not a month's (docs/scaling.md): a partition can be dropped whole, the default cannot. Nothing was archived.", []);
    }

    private static async IAsyncEnumerable<AuditEvent> InChainOrder(IQueryable<AuditEvent> events, [EnumeratorCancellation] CancellationToken ct)
    {
        long after = 0;
        while (true)
        {
            var batch = await events.Where(e => e.Sequence > after).OrderBy(e => e.Sequence).Take(5000).ToListAsync(ct);
            foreach (var e in batch)
            {
                yield return e;
            }

            if (batch.Count < 5000)
            {
                yield break;
            }

            after = batch[^1].Sequence;
        }
    }
}
