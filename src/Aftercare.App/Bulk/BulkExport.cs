using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Bulk;

/// <summary>What a bulk export covers: everything, everyone's records, or the people of one group (FHIR Bulk Data kick-off levels).</summary>
public enum BulkExportLevel
{
    System,
    Patient,
    Group,
}

public enum BulkExportStatus
{
    /// <summary>Accepted, waiting for the worker.</summary>
    Queued,
    Running,
    Completed,
    Failed,
}

/// <summary>
/// One FHIR Bulk Data export (<c>$export</c>), from its kick-off to its expiry: who asked (the
/// client, the only one who may poll it or fetch its files), what they asked for, and how far the
/// worker has gone. The request holds no patient data (types, a date, a group id); the output is
/// in <see cref="BulkExportFile"/>, encrypted.
/// </summary>
public sealed class BulkExport
{
    public const int MaxRequest = 2000;

    private BulkExport()
    {
        ClientId = "";
        Types = "";
        Request = "";
    }

    public Guid Id { get; private set; }

    /// <summary>The actor id of the backend client that started it (<c>client:...</c>).</summary>
    public string ClientId { get; private set; }

    public BulkExportLevel Level { get; private set; }

    /// <summary>The group exported, for a Group-level export.</summary>
    public Guid? GroupId { get; private set; }

    /// <summary>The resource types to export, comma-separated, in the order they are written.</summary>
    public string Types { get; private set; }

    /// <summary><c>_since</c>: only resources whose meta.lastUpdated is after it.</summary>
    public DateTimeOffset? Since { get; private set; }

    /// <summary>The kick-off request URL, as the manifest repeats it.</summary>
    public string Request { get; private set; }

    public DateTimeOffset RequestedAt { get; private set; }

    public BulkExportStatus Status { get; private set; }

    /// <summary>
    /// The manifest's transactionTime: every change before it is in the export; nothing changed after it is
    /// promised. When the worker began reading on the primary; the kick-off, when it read on a standby
    /// that had replayed the kick-off but perhaps not more.
    /// </summary>
    public DateTimeOffset? TransactionTime { get; private set; }

    /// <summary>People done so far, of <see cref="PeopleTotal"/>, for X-Progress.</summary>
    public int PeopleDone { get; private set; }

    public int PeopleTotal { get; private set; }

    public DateTimeOffset? CompletedAt { get; private set; }

    /// <summary>When a finished export (and its files) is deleted.</summary>
    public DateTimeOffset? ExpiresAt { get; private set; }

    /// <summary>Why it failed, in words for the client (never patient data).</summary>
    public string? Error { get; private set; }

    /// <summary>The worker holding it, and until when; a claim not renewed (its process stopped) lets another take it over.</summary>
    public string? ClaimedBy { get; private set; }

    public DateTimeOffset? ClaimedUntil { get; private set; }

    public static BulkExport Start(string clientId, BulkExportLevel level, Guid? groupId, IEnumerable<string> types, DateTimeOffset? since, string request, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        ClientId = clientId,
        Level = level,
        GroupId = groupId,
        Types = string.Join(',', types),
        Since = since?.ToUniversalTime(),
        Request = request.Length > MaxRequest ? request[..MaxRequest] : request,
        RequestedAt = now,
        Status = BulkExportStatus.Queued,
    };

    public IReadOnlyList<string> TypeList => Types.Split(',', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The worker takes it (again, after a restart: what an earlier run wrote is deleted first, and it starts over).</summary>
    /// <param name="transactionTime">The point the data read are complete to: <paramref name="now"/> unless given.</param>
    public void Begin(string worker, DateTimeOffset now, DateTimeOffset claimedUntil, int peopleTotal, DateTimeOffset? transactionTime = null)
    {
        Status = BulkExportStatus.Running;
        ClaimedBy = worker;
        ClaimedUntil = claimedUntil;
        TransactionTime = transactionTime ?? now;
        PeopleDone = 0;
        PeopleTotal = peopleTotal;
    }

    public void Progress(int peopleDone, DateTimeOffset claimedUntil)
    {
        PeopleDone = peopleDone;
        ClaimedUntil = claimedUntil;
    }

    public void Complete(DateTimeOffset now, TimeSpan keep)
    {
        Status = BulkExportStatus.Completed;
        PeopleDone = PeopleTotal;
        CompletedAt = now;
        ExpiresAt = now + keep;
        ClaimedBy = null;
        ClaimedUntil = null;
    }

    public void Fail(string error, DateTimeOffset now, TimeSpan keep)
    {
        Status = BulkExportStatus.Failed;
        Error = error.Length > 1000 ? error[..1000] : error;
        CompletedAt = now;
        ExpiresAt = now + keep;
        ClaimedBy = null;
        ClaimedUntil = null;
    }
}

/// <summary>One NDJSON output file of an export: one resource type, one resource per line, encrypted at rest (ADR 0009).</summary>
public sealed class BulkExportFile
{
    private BulkExportFile()
    {
        Type = "";
        Content = "";
    }

    public Guid Id { get; private set; }

    public Guid ExportId { get; private set; }

    public string Type { get; private set; }

    /// <summary>Its place among the export's files (1, 2, ...), the order of the manifest.</summary>
    public int Number { get; private set; }

    /// <summary>How many resources (lines) it holds.</summary>
    public int Count { get; private set; }

    /// <summary>The NDJSON: clinical data, so encrypted (<see cref="Data.EncryptedFields"/>).</summary>
    public string Content { get; private set; }

    public static BulkExportFile Write(Guid exportId, string type, int number, int count, string content, DateTimeOffset now) =>
        new() { Id = Guid.CreateVersion7(now), ExportId = exportId, Type = type, Number = number, Count = count, Content = content };
}

/// <summary>How bulk exports run (section Aftercare:BulkExport).</summary>
public sealed class BulkExportOptions
{
    /// <summary>Run the export worker inside <c>serve</c>.</summary>
    public bool RunWorker { get; set; } = true;

    public int PollSeconds { get; set; } = 5;

    /// <summary>How long a finished export and its files are kept before they are deleted.</summary>
    public int ExpireMinutes { get; set; } = 60;

    /// <summary>People read from the database at a time.</summary>
    public int PeoplePerBatch { get; set; } = 50;

    /// <summary>An output file is closed once it reaches this size (characters of NDJSON), and the next begun.</summary>
    public int MaxFileCharacters { get; set; } = 4 * 1024 * 1024;

    /// <summary>How long a worker may hold an export without a sign of life before another takes it over.</summary>
    public int ClaimMinutes { get; set; } = 5;

    /// <summary>
    /// With a standby (Aftercare:StandbyDatabase): how long an export waits for the standby to show its
    /// kick-off before it is read from the primary instead (at most half of <see cref="ClaimMinutes"/>).
    /// </summary>
    public int StandbyWaitSeconds { get; set; } = 30;
}

internal sealed class BulkExportConfiguration : IEntityTypeConfiguration<BulkExport>
{
    public void Configure(EntityTypeBuilder<BulkExport> export)
    {
        export.ToTable("BulkExports");
        export.HasKey(e => e.Id);
        export.Ignore(e => e.TypeList);
        export.Property(e => e.ClientId).HasMaxLength(200);
        export.Property(e => e.Types).HasMaxLength(1000);
        export.Property(e => e.Request).HasMaxLength(BulkExport.MaxRequest);
        export.Property(e => e.Error).HasMaxLength(1000);
        export.Property(e => e.ClaimedBy).HasMaxLength(50);
        export.HasIndex(e => new { e.Status, e.RequestedAt });
        export.HasIndex(e => e.ExpiresAt);
    }
}

internal sealed class BulkExportFileConfiguration : IEntityTypeConfiguration<BulkExportFile>
{
    public void Configure(EntityTypeBuilder<BulkExportFile> file)
    {
        file.ToTable("BulkExportFiles");
        file.HasKey(f => f.Id);
        file.Property(f => f.Type).HasMaxLength(64);
        file.HasIndex(f => new { f.ExportId, f.Number }).IsUnique();
        file.HasOne<BulkExport>().WithMany().HasForeignKey(f => f.ExportId).OnDelete(DeleteBehavior.Cascade);
    }
}
