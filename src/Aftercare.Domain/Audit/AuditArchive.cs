using System.Globalization;

namespace Aftercare.Domain.Audit;

/// <summary>
/// The anchor an archive leaves behind (ADR 0017): which whole UTC months of the audit were moved
/// out to a file, how many events, and where the chain of what remains starts from. Verification
/// starts from the newest one: the first event left must follow on from <see cref="HeadHash"/>.
/// Signed with the audit's MAC key (<see cref="Mac"/>), so whoever removes audit rows cannot write
/// an anchor that covers them.
/// </summary>
public sealed class AuditArchive
{
    private AuditArchive()
    {
        FromMonth = "";
        ToMonth = "";
        HeadHash = "";
        Gaps = "";
        FileSha256 = "";
        Mac = "";
    }

    public long Id { get; private set; }

    /// <summary>The archive's own id, also written in its file's header, so a file and its anchor find each other.</summary>
    public Guid Archive { get; private set; }

    public DateTimeOffset ArchivedAt { get; private set; }

    /// <summary>The first month archived (YYYY-MM, UTC).</summary>
    public string FromMonth { get; private set; }

    /// <summary>The last month archived (YYYY-MM, UTC): every event before the month after it is in the file.</summary>
    public string ToMonth { get; private set; }

    /// <summary>How many events the file holds.</summary>
    public long Events { get; private set; }

    public long FirstPosition { get; private set; }

    public long LastPosition { get; private set; }

    /// <summary>
    /// The chain is archived from position 1 up to and including this one (with the archives
    /// before): the first event left in the database follows on from it.
    /// </summary>
    public long HeadPosition { get; private set; }

    public string HeadHash { get; private set; }

    /// <summary>
    /// Positions above <see cref="HeadPosition"/> that are archived too, as "POSITION:HASH" separated
    /// by spaces: an event of an archived month sealed after the first event of the month after
    /// (two writers near midnight). Usually empty. Verification steps over them by their hash.
    /// </summary>
    public string Gaps { get; private set; }

    /// <summary>SHA-256, lower-case hex, of the archive file as written.</summary>
    public string FileSha256 { get; private set; }

    /// <summary>HMAC-SHA256 of <see cref="SignedText"/> under the audit's key.</summary>
    public string Mac { get; private set; }

    public static AuditArchive Record(
        Guid archive, DateTimeOffset archivedAt, string fromMonth, string toMonth, long events, long firstPosition, long lastPosition,
        long headPosition, string headHash, IEnumerable<(long Position, string Hash)> gaps, string fileSha256) => new()
        {
            Archive = archive,
            ArchivedAt = new DateTimeOffset(archivedAt.UtcTicks - (archivedAt.UtcTicks % 10), TimeSpan.Zero),
            FromMonth = fromMonth,
            ToMonth = toMonth,
            Events = events,
            FirstPosition = firstPosition,
            LastPosition = lastPosition,
            HeadPosition = headPosition,
            HeadHash = headHash,
            Gaps = string.Join(' ', gaps.OrderBy(g => g.Position).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Position}:{g.Hash}"))),
            FileSha256 = fileSha256,
        };

    public void Sign(string mac)
    {
        ArgumentException.ThrowIfNullOrEmpty(mac);
        Mac = mac;
    }

    /// <summary>The archived positions above the head, with their hashes.</summary>
    public IReadOnlyDictionary<long, string> GapHashes() => Gaps
        .Split(' ', StringSplitOptions.RemoveEmptyEntries)
        .Select(g => g.Split(':', 2))
        .ToDictionary(g => long.Parse(g[0], CultureInfo.InvariantCulture), g => g[1]);

    /// <summary>Every field but the row id, one a line: what the MAC covers.</summary>
    public string SignedText() => string.Join('\n',
        "aftercare-audit-archive-v1",
        Archive.ToString("D"),
        ArchivedAt.UtcTicks.ToString(CultureInfo.InvariantCulture),
        FromMonth,
        ToMonth,
        Events.ToString(CultureInfo.InvariantCulture),
        FirstPosition.ToString(CultureInfo.InvariantCulture),
        LastPosition.ToString(CultureInfo.InvariantCulture),
        HeadPosition.ToString(CultureInfo.InvariantCulture),
        HeadHash,
        Gaps,
        FileSha256);
}
