using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Audit;

/// <summary>
/// An archive of whole months of the audit (ADR 0017): a gzip'd file of JSON lines, readable with
/// `zcat` and any JSON tool. The first line is the <see cref="Header"/>: which months, how many
/// events, the first and last positions and hashes, where the chain of what stays in the database
/// starts from, and a MAC of all that. Each line after it is one event with every column as it
/// was stored (<see cref="Line"/>), in chain order. Nothing in the file needs Aftercare to read;
/// checking its MACs needs the audit's key.
/// </summary>
public static class AuditArchiveFile
{
    public const string Format = "aftercare-audit-archive";

    public const int Version = 1;

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The first line. <see cref="Gaps"/> as in <see cref="AuditArchive.Gaps"/>.</summary>
    public sealed record Header(
        string Format, int Version, Guid Archive, DateTimeOffset ArchivedAt, string FromMonth, string ToMonth, string Before, long Events,
        long FirstPosition, string FirstPreviousHash, long LastPosition, string LastHash, long HeadPosition, string HeadHash, string Gaps,
        string[] Columns, string Mac)
    {
        /// <summary>What the header's MAC covers: every field but the column names and the MAC.</summary>
        public string SignedText() => string.Join('\n',
            "aftercare-audit-archive-file-v1", Format, Version.ToString(CultureInfo.InvariantCulture), Archive.ToString("D"),
            ArchivedAt.UtcTicks.ToString(CultureInfo.InvariantCulture), FromMonth, ToMonth, Before, Events.ToString(CultureInfo.InvariantCulture),
            FirstPosition.ToString(CultureInfo.InvariantCulture), FirstPreviousHash, LastPosition.ToString(CultureInfo.InvariantCulture), LastHash,
            HeadPosition.ToString(CultureInfo.InvariantCulture), HeadHash, Gaps);
    }

    /// <summary>One event, every column of "AuditEvents" as stored (Position is the column "Sequence").</summary>
    public sealed record Line(
        long Id, DateTimeOffset At, string ActorId, string Actor, string Action, string Purpose, Guid? PersonId, string? EntityId,
        long Position, string PreviousHash, string Hash, string? Mac)
    {
        public static Line Of(AuditEvent e) => new(e.Id, e.At, e.ActorId, e.Actor, e.Action.ToString(), e.Purpose, e.PersonId, e.EntityId, e.Sequence, e.PreviousHash, e.Hash, e.Mac);

        public AuditEvent? ToEvent() => Enum.TryParse<AuditAction>(Action, out var action)
            ? AuditEvent.Restore(Id, At, ActorId, Actor, action, Purpose, PersonId, EntityId, Position, PreviousHash, Hash, Mac)
            : null;
    }

    public static readonly string[] Columns = ["id", "at", "actorId", "actor", "action", "purpose", "personId", "entityId", "position", "previousHash", "hash", "mac"];

    /// <summary>Writes the header and the events to a new file (never over one), flushed to disk before it returns.</summary>
    public static async Task WriteAsync(string path, Header header, IAsyncEnumerable<AuditEvent> events, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(events);
        await using var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous });
        await using (var gzip = new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true))
        await using (var writer = new StreamWriter(gzip, new UTF8Encoding(false)) { NewLine = "\n" })
        {
            await writer.WriteLineAsync(JsonSerializer.Serialize(header, Json));
            await foreach (var e in events.WithCancellation(ct))
            {
                await writer.WriteLineAsync(JsonSerializer.Serialize(Line.Of(e), Json));
            }
        }

        file.Flush(flushToDisk: true);
    }

    public static async Task<string> Sha256Async(string path, CancellationToken ct)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
    }

    /// <summary>
    /// What checking a file found. <see cref="Problem"/> is null when the file is whole: its
    /// header's MAC, each event's hash and MAC, the chain within it, and the header's counts and
    /// hashes. <see cref="Joins"/> are the places the chain leaves the file (its first event, and
    /// any event whose predecessor stayed in the database): position and the hash it must have.
    /// </summary>
    public sealed record FileReport(Header? Header, long Events, string Sha256, IReadOnlyList<(long Position, string Hash)> Joins, string? Problem)
    {
        public bool IsIntact => Problem is null;
    }

    public static async Task<FileReport> VerifyAsync(string path, AuditSeal seal, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(seal);
        var sha = await Sha256Async(path, ct);
        var joins = new List<(long, string)>();
        FileReport Fail(Header? header, long read, string problem) => new(header, read, sha, joins, problem);
        await using var file = File.OpenRead(path);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        Header? header;
        try
        {
            header = await reader.ReadLineAsync(ct) is { } first ? JsonSerializer.Deserialize<Header>(first, Json) : null;
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            return Fail(null, 0, "It is not an Aftercare audit archive: its first line is not the header.");
        }

        if (header is null || header.Format != Format || header.Version != Version)
        {
            return Fail(null, 0, "It is not an Aftercare audit archive of this version: its first line is not the header.");
        }

        if (!seal.ArchiveMacMatches(header.SignedText(), header.Mac))
        {
            return Fail(header, 0, "Its header carries no valid MAC under this audit key: it was altered, or it is not this service's archive (check the keys folder).");
        }

        var from = Month(header.FromMonth);
        var before = Month(header.Before);
        long read = 0;
        AuditEvent? previous = null;
        string? headHash = null;
        try
        {
            while (await reader.ReadLineAsync(ct) is { } text)
            {
                if (text.Length == 0)
                {
                    continue;
                }

                var e = JsonSerializer.Deserialize<Line>(text, Json)?.ToEvent();
                read++;
                if (e is null)
                {
                    return Fail(header, read, $"Line {read + 1} is not an audit event.");
                }

                if (!e.HashMatchesContent())
                {
                    return Fail(header, read, $"Event id {e.Id} at position {e.Sequence} was changed after it was written: its content no longer matches its hash.");
                }

                if (!seal.MacMatches(e))
                {
                    return Fail(header, read, $"Event id {e.Id} at position {e.Sequence} carries no valid MAC: it was never sealed by Aftercare, or the chain was rebuilt.");
                }

                if (e.At < from || e.At >= before)
                {
                    return Fail(header, read, $"Event id {e.Id} at position {e.Sequence} is of {e.At.UtcDateTime:yyyy-MM}, outside the months the header names.");
                }

                if (previous is not null && e.Sequence <= previous.Sequence)
                {
                    return Fail(header, read, $"Event id {e.Id} at position {e.Sequence} comes after position {previous.Sequence}: the file's order was changed.");
                }

                if (previous is not null && e.Sequence == previous.Sequence + 1)
                {
                    if (e.PreviousHash != previous.Hash)
                    {
                        return Fail(header, read, $"Event id {e.Id} at position {e.Sequence} does not follow on from the event before it in the file: the chain in the file is broken there.");
                    }
                }
                else if (e.Sequence == 1)
                {
                    if (e.PreviousHash != AuditEvent.Genesis)
                    {
                        return Fail(header, read, "The first event of the chain does not start it: it follows on from another event.");
                    }
                }
                else
                {
                    joins.Add((e.Sequence - 1, e.PreviousHash));
                }

                if (e.Sequence == header.HeadPosition)
                {
                    headHash = e.Hash;
                }

                if (read == 1 && (e.Sequence != header.FirstPosition || e.PreviousHash != header.FirstPreviousHash))
                {
                    return Fail(header, read, "Its first event is not the one its header names.");
                }

                previous = e;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or EndOfStreamException)
        {
            return Fail(header, read, $"It is cut short or damaged after {read} events ({e.GetType().Name}).");
        }

        if (read != header.Events || previous is null || previous.Sequence != header.LastPosition || previous.Hash != header.LastHash)
        {
            return Fail(header, read, $"It holds {read} events, not the {header.Events} its header names, or its last event is not the one named: events were removed from it.");
        }

        if (headHash is not null && headHash != header.HeadHash)
        {
            return Fail(header, read, $"The event at position {header.HeadPosition} is not the anchor its header names.");
        }

        return new FileReport(header, read, sha, joins, null);
    }

    /// <summary>
    /// Whether a whole file joins the database: its anchor is there, genuine and names this file,
    /// and each event the file's chain follows on from is the one in the database (or in another
    /// archive's anchor). Null when it joins.
    /// </summary>
    public static async Task<string?> JoinsAsync(AftercareDbContext db, AuditSeal seal, FileReport file, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(seal);
        ArgumentNullException.ThrowIfNull(file);
        var header = file.Header!;
        var anchors = await db.AuditArchives.AsNoTracking().OrderBy(a => a.Id).ToListAsync(ct);
        var anchor = anchors.SingleOrDefault(a => a.Archive == header.Archive);
        if (anchor is null)
        {
            return $"This database holds no anchor of archive {header.Archive}: it was archived from another database, or its anchor was removed.";
        }

        if (!seal.ArchiveMacMatches(anchor.SignedText(), anchor.Mac))
        {
            return $"The anchor of archive {header.Archive} in this database carries no valid MAC: it was altered.";
        }

        if (anchor.FileSha256 != file.Sha256 || anchor.Events != header.Events || anchor.HeadPosition != header.HeadPosition || anchor.HeadHash != header.HeadHash
            || anchor.FromMonth != header.FromMonth || anchor.ToMonth != header.ToMonth || anchor.Gaps != header.Gaps)
        {
            return $"The file is not the one archive {header.Archive}'s anchor names (its SHA-256 or counts differ): it was changed after it was written.";
        }

        var known = new Dictionary<long, string>();
        foreach (var other in anchors)
        {
            known[other.HeadPosition] = other.HeadHash;
            foreach (var (position, hash) in other.GapHashes())
            {
                known[position] = hash;
            }
        }

        foreach (var (position, hash) in file.Joins)
        {
            var there = await db.AuditEvents.AsNoTracking().Where(e => e.Sequence == position).Select(e => e.Hash).FirstOrDefaultAsync(ct);
            if ((there ?? known.GetValueOrDefault(position)) is { } found && found != hash)
            {
                return $"The file's chain follows on from position {position}, but the event there (in the database or an anchor) is a different one.";
            }
        }

        return null;
    }

    /// <summary>The first moment of a month given as YYYY-MM (UTC), or null when it is not one.</summary>
    public static DateTimeOffset? TryMonth(string? text) =>
        text is { Length: 7 } && DateTime.TryParseExact(text, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var month)
            ? new DateTimeOffset(month.Year, month.Month, 1, 0, 0, 0, TimeSpan.Zero)
            : null;

    private static DateTimeOffset Month(string text) => TryMonth(text) ?? DateTimeOffset.MinValue;
}
