using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Audit;

/// <summary>
/// Checks the audit's hash chain from the first event to the last (ADR 0008) and says where it
/// first breaks, how, and which event is the last one still proven. Reads in batches, in chain
/// order, so it runs in steady memory on any size of audit. Reads ids, positions and times only.
/// </summary>
public static class VerifyAudit
{
    public enum BreakKind
    {
        /// <summary>An event's content no longer matches its hash, or it was replaced.</summary>
        Modified,

        /// <summary>An event is missing from the chain.</summary>
        Deleted,

        /// <summary>An event that was never part of the chain has been added.</summary>
        Inserted,

        /// <summary>Events are in a different order from the order they were written in.</summary>
        Reordered,

        /// <summary>The chain has events but the keys folder holds no checkpoint of its head (ADR 0012).</summary>
        NoCheckpoint,
    }

    /// <summary>An event, by its chain position, row id and time: never its content.</summary>
    public sealed record EventRef(long Position, long Id, DateTimeOffset At, string Hash)
    {
        /// <summary>The event is in an archive file, not the database: only its position and hash are known here (ADR 0017).</summary>
        public bool Archived { get; init; }
    }

    public sealed record Break(BreakKind Kind, long? Position, long? EventId, string Explanation);

    /// <param name="Checked">How many events were read in chain order.</param>
    /// <param name="LastGood">The last event the chain still proves (null if none).</param>
    public sealed record Report(long Total, long Checked, EventRef? LastGood, Break? Broken)
    {
        public bool IsIntact => Broken is null;

        /// <summary>The position of the checkpoint in the keys folder that the chain was checked against, if any.</summary>
        public long? Checkpoint { get; init; }

        /// <summary>The newest archive's anchor the chain was checked from, if any months were archived (ADR 0017).</summary>
        public AuditArchive? Archive { get; init; }
    }

    /// <summary>
    /// A position and hash noted from an earlier run and kept away from the database. The chain
    /// alone cannot show events cut from its end, nor a chain rebuilt from some point on; a kept
    /// head can.
    /// </summary>
    public sealed record Anchor(long Position, string Hash)
    {
        public static bool TryParse(string? text, out Anchor? anchor)
        {
            anchor = null;
            var parts = (text ?? "").Split(':', 2);
            if (parts.Length == 2 && long.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var position) && position > 0
                && parts[1].Length == 64 && parts[1].All(Uri.IsHexDigit))
            {
                anchor = new Anchor(position, parts[1].ToLowerInvariant());
            }

            return anchor is not null;
        }

        public override string ToString() => $"{Position}:{Hash}";
    }

    public static async Task<Report> Handle(AftercareDbContext db, IProgress<long>? progress, CancellationToken ct, Anchor? anchor = null, int batchSize = 5000)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 2);
        var total = await db.AuditEvents.LongCountAsync(ct);
        var seal = AuditSeal.Of(db);
        var checkpoint = seal.ReadCheckpoint();
        if (checkpoint is { Genuine: false })
        {
            return new Report(total, 0, null, new Break(BreakKind.Modified, null, null,
                $"The checkpoint of the chain's head ({Path.GetFileName(seal.CheckpointPath)} in the keys folder) was altered: its MAC does not match. Nothing in the audit can be trusted until this is investigated."));
        }

        // The heads kept away from the database: the checkpoint Aftercare keeps, and one noted by hand (--expect).
        var kept = new List<(Anchor Head, string Where)>();
        if (checkpoint is not null)
        {
            kept.Add((new Anchor(checkpoint.Position, checkpoint.Hash), "in the checkpoint in the keys folder"));
        }

        if (anchor is not null)
        {
            kept.Add((anchor, "noted earlier (--expect)"));
        }

        // Months archived: the chain of what is left starts from the newest anchor, whose MAC only Aftercare's key makes.
        var archives = await db.AuditArchives.AsNoTracking().OrderBy(a => a.Id).ToListAsync(ct);
        if (archives.FirstOrDefault(a => !seal.ArchiveMacMatches(a.SignedText(), a.Mac)) is { } forged)
        {
            return new Report(total, 0, null, new Break(BreakKind.Modified, null, null,
                $"The anchor of the archive of {forged.FromMonth} to {forged.ToMonth} (row {forged.Id} of AuditArchives) carries no valid MAC: it was altered, or written by someone other than Aftercare. Nothing in the audit can be trusted until this is investigated."));
        }

        var archive = archives.LastOrDefault();
        var start = archive?.HeadPosition ?? 0;
        var gaps = archive?.GapHashes() ?? new Dictionary<long, string>();
        var chain = db.AuditEvents.AsNoTracking().Where(e => e.Sequence > start);
        if (archive is not null)
        {
            var archivedGaps = gaps.Keys.ToList();
            var intruder = await db.AuditEvents.AsNoTracking()
                .Where(e => (e.Sequence > 0 && e.Sequence <= start) || archivedGaps.Contains(e.Sequence))
                .OrderBy(e => e.Sequence).FirstOrDefaultAsync(ct);
            if (intruder is not null)
            {
                return new Report(total, 0, null, new Break(BreakKind.Inserted, intruder.Sequence, intruder.Id,
                    $"Event id {intruder.Id} claims position {intruder.Sequence}, which was archived ({archive.FromMonth} to {archive.ToMonth}): it was added after the archive.")) { Archive = archive };
            }
        }

        long read = 0;
        EventRef? before = null;
        EventRef? previous = archive is null ? null : new EventRef(archive.HeadPosition, 0, archive.ArchivedAt, archive.HeadHash) { Archived = true };
        var batch = await chain.OrderBy(e => e.Sequence).ThenBy(e => e.Id).Take(batchSize).ToListAsync(ct);
        while (batch.Count > 0)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var e = batch[i];
                read++;
                // An event of an archived month sealed after one of a later month: stepped over by its hash.
                while (gaps.TryGetValue((previous?.Position ?? 0) + 1, out var archivedHash))
                {
                    previous = new EventRef((previous?.Position ?? 0) + 1, 0, archive!.ArchivedAt, archivedHash) { Archived = true };
                }

                var next = i + 1 < batch.Count ? batch[i + 1] : await After(chain, e, ct);
                var found = await Check(chain, before, previous, e, next, ct) ?? CheckMac(seal, previous, e, next);
                if (found is not null)
                {
                    progress?.Report(read);
                    return new Report(total, read, found.Value.LastGood, found.Value.Broken) { Checkpoint = checkpoint?.Position, Archive = archive };
                }

                foreach (var (head, where) in kept.Where(k => k.Head.Position == e.Sequence && k.Head.Hash != e.Hash))
                {
                    return new Report(total, read, previous, new Break(BreakKind.Modified, e.Sequence, e.Id,
                        $"Event id {e.Id} at position {e.Sequence} is not the event {where}: the chain was rebuilt from this point or before.")) { Checkpoint = checkpoint?.Position, Archive = archive };
                }

                before = previous;
                previous = Ref(e);
            }

            progress?.Report(read);
            var last = batch[^1];
            batch = await chain
                .Where(e => e.Sequence > last.Sequence || (e.Sequence == last.Sequence && e.Id > last.Id))
                .OrderBy(e => e.Sequence).ThenBy(e => e.Id).Take(batchSize).ToListAsync(ct);
        }

        var lastGood = previous;
        var outside = await db.AuditEvents.Where(e => e.Sequence <= 0).OrderBy(e => e.Id).Select(e => (long?)e.Id).FirstOrDefaultAsync(ct);
        if (outside is { } id)
        {
            var count = total - read;
            return new Report(total, read, lastGood,
                new Break(BreakKind.Inserted, null, id, $"{count} events are outside the chain, with no position in it, the first with id {id}: they were added to the table directly.")) { Archive = archive };
        }

        var end = previous?.Position ?? 0;
        foreach (var (head, where) in kept.Where(k => end < k.Head.Position))
        {
            return new Report(total, read, lastGood, new Break(BreakKind.Deleted, end + 1, null, end == 0
                ? $"The audit is empty, but the chain reached position {head.Position} {where}: every event was removed."
                : $"The chain ends at position {end}, before position {head.Position} {where}: events were removed from its end.")) { Checkpoint = checkpoint?.Position, Archive = archive };
        }

        if (checkpoint is null && previous is not null)
        {
            return new Report(total, read, lastGood, new Break(BreakKind.NoCheckpoint, null, null,
                $"There is no checkpoint of the chain's head for this database in the keys folder {seal.KeysFolder}. Aftercare writes one each time it seals events: it was removed, or this is not this database's keys folder.")) { Archive = archive };
        }

        return new Report(total, read, lastGood, null) { Checkpoint = checkpoint?.Position, Archive = archive };
    }

    /// <summary>
    /// Null when the event carries the MAC only Aftercare's key makes (ADR 0012). Without it the
    /// event was not sealed by Aftercare, however correct its hash: added by someone who knows the
    /// algorithm when the chain passes over it or nothing follows it, otherwise the start of a
    /// chain rebuilt with recomputed hashes.
    /// </summary>
    private static (Break Broken, EventRef? LastGood)? CheckMac(AuditSeal seal, EventRef? previous, AuditEvent e, AuditEvent? next)
    {
        if (seal.MacMatches(e))
        {
            return null;
        }

        var passedOver = next is not null && next.PreviousHash == (previous?.Hash ?? AuditEvent.Genesis);
        return next is null || passedOver
            ? (new Break(BreakKind.Inserted, e.Sequence, e.Id, $"Event id {e.Id} at position {e.Sequence} carries no valid MAC: it was never sealed by Aftercare, but added with a hash computed by hand."), previous)
            : (new Break(BreakKind.Modified, e.Sequence, e.Id, $"Event id {e.Id} at position {e.Sequence} carries no valid MAC: the chain was rebuilt from here with recomputed hashes, or the event was replaced."), previous);
    }

    private static EventRef Ref(AuditEvent e) => new(e.Sequence, e.Id, e.At, e.Hash);

    private static Task<AuditEvent?> After(IQueryable<AuditEvent> chain, AuditEvent e, CancellationToken ct) => chain
        .Where(x => x.Sequence > e.Sequence || (x.Sequence == e.Sequence && x.Id > e.Id))
        .OrderBy(x => x.Sequence).ThenBy(x => x.Id).FirstOrDefaultAsync(ct);

    /// <summary>
    /// Null when <paramref name="e"/> follows on from <paramref name="previous"/>; otherwise what
    /// broke, and the last event still proven. Where a break could be read more than one way, the
    /// likeliest is named: any break means nothing from that position on can be trusted.
    /// </summary>
    private static async Task<(Break Broken, EventRef? LastGood)?> Check(
        IQueryable<AuditEvent> chain, EventRef? before, EventRef? previous, AuditEvent e, AuditEvent? next, CancellationToken ct)
    {
        var expected = (previous?.Position ?? 0) + 1;
        var previousHash = previous?.Hash ?? AuditEvent.Genesis;
        if (previous is not null && e.Sequence == previous.Position)
        {
            return (new Break(BreakKind.Inserted, e.Sequence, e.Id, $"Two events claim position {e.Sequence}; event id {e.Id} was added."), previous);
        }

        if (!e.HashMatchesContent())
        {
            // The chain passes over it (the next event follows on from the one before), or it
            // links to nothing before it: an event that was never in the chain.
            var skipped = next is not null && next.PreviousHash == previousHash && next.HashMatchesContent();
            return skipped || e.PreviousHash != previousHash
                ? (new Break(BreakKind.Inserted, e.Sequence, e.Id, $"Event id {e.Id} at position {e.Sequence} was never part of the chain: it was added."), previous)
                : (new Break(BreakKind.Modified, e.Sequence, e.Id, $"Event id {e.Id} at position {e.Sequence} was changed after it was written: its content no longer matches its hash."), previous);
        }

        if (e.PreviousHash == previousHash)
        {
            return e.Sequence == expected
                ? null
                : (new Break(BreakKind.Deleted, expected, null, $"Position {expected} is missing: event id {e.Id} follows on at position {e.Sequence}, and the chain was rewritten to hide it."), previous);
        }

        var follows = await chain.Where(x => x.Hash == e.PreviousHash).OrderBy(x => x.Sequence).FirstOrDefaultAsync(ct);
        if (follows is null)
        {
            // What it follows is gone. With no gap in the positions, the event before it was
            // replaced by one with a recomputed hash (or the positions were renumbered).
            if (previous is { Archived: true } && e.Sequence == expected)
            {
                return (new Break(BreakKind.Modified, e.Sequence, e.Id, $"Event id {e.Id} at position {e.Sequence} does not follow on from the archived event at position {previous.Position} (the archive's anchor): it was replaced, or the anchor is not this chain's."), previous);
            }

            return previous is not null && e.Sequence == expected
                ? (new Break(BreakKind.Modified, previous.Position, previous.Id, $"Event id {previous.Id} at position {previous.Position} is not the event written there: it was replaced, or an event after it was removed."), before)
                : (new Break(BreakKind.Deleted, expected, null, $"The event at position {expected} is missing: event id {e.Id} at position {e.Sequence} follows on from an event no longer in the audit."), previous);
        }

        if (follows.Sequence > e.Sequence)
        {
            return (new Break(BreakKind.Reordered, e.Sequence, e.Id, $"Event id {e.Id} at position {e.Sequence} was written after event id {follows.Id}, which now comes later, at position {follows.Sequence}: the order was changed."), previous);
        }

        // It follows an earlier event than the one before it: what lies between was added.
        var added = await After(chain, follows, ct);
        return (new Break(BreakKind.Inserted, added?.Sequence ?? expected, added?.Id, $"Event id {added?.Id} at position {added?.Sequence} was never part of the chain: event id {e.Id} at position {e.Sequence} follows on from event id {follows.Id}, before it."), Ref(follows));
    }
}
