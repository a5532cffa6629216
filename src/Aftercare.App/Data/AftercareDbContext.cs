using Aftercare.App.Access;
using Aftercare.App.Assessments;
using Aftercare.App.Audit;
using Aftercare.App.Consent;
using Aftercare.App.Feedback;
using Aftercare.App.Interventions;
using Aftercare.App.Messaging;
using Aftercare.App.Mortality;
using Aftercare.App.People;
using Aftercare.App.Plans;
using Aftercare.App.Presentations;
using Aftercare.App.Programme;
using Aftercare.App.Referrals;
using Aftercare.App.Sharing;
using Aftercare.App.Sites;
using Aftercare.App.Users;
using Aftercare.Domain.Assessments;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Interventions;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.People;
using Aftercare.Domain.Plans;
using Aftercare.Domain.Presentations;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Referrals;
using Aftercare.Domain.Sharing;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Aftercare.App.Data;

/// <summary>
/// The one DbContext, used directly (ADR 0003). Each provider has a subclass only so that each
/// keeps its own migration set (ADR 0002).
/// </summary>
public abstract class AftercareDbContext(DbContextOptions options) : IdentityDbContext<AftercareUser>(options)
{
    public DbSet<Person> People => Set<Person>();

    public DbSet<Presentation> Presentations => Set<Presentation>();

    public DbSet<Site> Sites => Set<Site>();

    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    public DbSet<AuditArchive> AuditArchives => Set<AuditArchive>();

    public DbSet<PsychosocialAssessment> Assessments => Set<PsychosocialAssessment>();

    public DbSet<CarePlan> CarePlans => Set<CarePlan>();

    public DbSet<SafetyPlan> SafetyPlans => Set<SafetyPlan>();

    public DbSet<SafetyPlanLink> SafetyPlanLinks => Set<SafetyPlanLink>();

    public DbSet<PersonPlanChange> PersonPlanChanges => Set<PersonPlanChange>();

    public DbSet<Share> Shares => Set<Share>();

    public DbSet<Episode> Episodes => Set<Episode>();

    public DbSet<ScheduledContact> Contacts => Set<ScheduledContact>();

    public DbSet<ListedService> Services => Set<ListedService>();

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<MessagePreferences> MessagePreferences => Set<MessagePreferences>();

    public DbSet<Referral> Referrals => Set<Referral>();

    public DbSet<TherapyCourse> TherapyCourses => Set<TherapyCourse>();

    public DbSet<Medication> Medications => Set<Medication>();

    public DbSet<Domain.Access.StaffSite> StaffSites => Set<Domain.Access.StaffSite>();

    public DbSet<Domain.Access.CareAssignment> CareAssignments => Set<Domain.Access.CareAssignment>();

    public DbSet<Domain.Access.BreakGlassGrant> BreakGlassGrants => Set<Domain.Access.BreakGlassGrant>();

    public DbSet<Domain.Consent.ConsentDecision> ConsentDecisions => Set<Domain.Consent.ConsentDecision>();

    public DbSet<Domain.Consent.SafeguardingConcern> SafeguardingConcerns => Set<Domain.Consent.SafeguardingConcern>();

    public DbSet<Domain.Feedback.FeedbackLink> FeedbackLinks => Set<Domain.Feedback.FeedbackLink>();

    public DbSet<Domain.Feedback.FeedbackResponse> FeedbackResponses => Set<Domain.Feedback.FeedbackResponse>();

    public DbSet<Domain.Mortality.Death> Deaths => Set<Domain.Mortality.Death>();

    public DbSet<Bulk.BulkExport> BulkExports => Set<Bulk.BulkExport>();

    public DbSet<Bulk.BulkExportFile> BulkExportFiles => Set<Bulk.BulkExportFile>();

    public DbSet<PersonPasskey> PersonPasskeys => Set<PersonPasskey>();

    public DbSet<PersonSession> PersonSessions => Set<PersonSession>();

    public DbSet<PersonSignInCode> PersonSignInCodes => Set<PersonSignInCode>();

    public DbSet<Domain.Messaging.PersonMessage> PersonMessages => Set<Domain.Messaging.PersonMessage>();

    public DbSet<Domain.Programme.TalkRequest> TalkRequests => Set<Domain.Programme.TalkRequest>();

    /// <summary>
    /// Saves, sealing any new audit events into the hash chain in the same transaction (ADR 0008):
    /// the one the caller began, or one begun here.
    /// </summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var added = AddedAuditEvents();
        if (added.Count == 0)
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }

        if (Database.CurrentTransaction is not null)
        {
            await AuditChain.SealAsync(this, added, cancellationToken);
            var inCallers = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            NoteSealed(added[^1]);
            return inCallers;
        }

        await using var transaction = await Database.BeginTransactionAsync(cancellationToken);
        await AuditChain.SealAsync(this, added, cancellationToken);
        // The transaction is this call's own, and a failure rolls all of it back: the savepoint EF sets inside a
        // transaction it did not begin would protect nothing, and cost two round trips with the chain's lock held
        // (issue 16: every audited write and every batch of read audits waited behind them).
        var autoSavepoints = Database.AutoSavepointsEnabled;
        Database.AutoSavepointsEnabled = false;
        int saved;
        try
        {
            saved = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }
        finally
        {
            Database.AutoSavepointsEnabled = autoSavepoints;
        }

        NoteSealed(added[^1]);
        await transaction.CommitAsync(cancellationToken);
        return saved;
    }

    /// <summary>The newest event saved in the transaction in hand: the checkpoint moves to it once that commits (ADR 0012).</summary>
    private (long Position, string Hash)? _sealedHead;

    internal void NoteSealed(AuditEvent newest)
    {
        if (_sealedHead is not { } head || newest.Sequence > head.Position)
        {
            _sealedHead = (newest.Sequence, newest.Hash);
        }
    }

    internal (long Position, string Hash)? TakeSealedHead()
    {
        var head = _sealedHead;
        _sealedHead = null;
        return head;
    }

    /// <summary>Audit events are sealed with a database read, so they are saved asynchronously only.</summary>
    public override int SaveChanges(bool acceptAllChangesOnSuccess) => AddedAuditEvents().Count == 0
        ? base.SaveChanges(acceptAllChangesOnSuccess)
        : throw new InvalidOperationException("Audit events are saved with SaveChangesAsync, which seals them into the chain.");

    /// <summary>
    /// Makes concurrent writers of audit events take turns until their transactions end, and reads
    /// the chain's last event once this writer's turn has come, so each reads the true one. SQLite
    /// needs no lock: its transactions begin IMMEDIATE, holding the one write lock from the start.
    /// </summary>
    protected internal virtual async Task<(long Position, string Hash)?> LockAuditChainAndReadHeadAsync(CancellationToken ct)
    {
        var last = await AuditEvents.AsNoTracking()
            .Where(e => e.Sequence > 0)
            .OrderByDescending(e => e.Sequence)
            .Select(e => new { e.Sequence, e.Hash })
            .FirstOrDefaultAsync(ct);
        return last is null ? null : (last.Sequence, last.Hash);
    }

    private List<AuditEvent> AddedAuditEvents() =>
        [.. ChangeTracker.Entries<AuditEvent>().Where(e => e.State == EntityState.Added).Select(e => e.Entity)];

    /// <summary>The longest enum member name a column holds; <c>EnumsAreStoredByName</c> checks every member fits.</summary>
    public const int EnumNameLength = 50;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        // Every enum, nullable or not, is stored by name, so a reordered enum never changes what a row means.
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(EnumNameLength);
    }

    /// <summary>Each feature maps its own entities, in a configuration beside it.</summary>
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfiguration(new AftercareUserConfiguration());
        builder.ApplyConfiguration(new SiteEntityConfiguration());
        builder.ApplyConfiguration(new StaffSiteConfiguration());
        builder.ApplyConfiguration(new PersonConfiguration());
        builder.ApplyConfiguration(new CareAssignmentConfiguration());
        builder.ApplyConfiguration(new BreakGlassGrantConfiguration());
        builder.ApplyConfiguration(new PresentationConfiguration());
        builder.ApplyConfiguration(new PsychosocialAssessmentConfiguration());
        builder.ApplyConfiguration(new AssessmentRevisionConfiguration());
        builder.ApplyConfiguration(new CarePlanConfiguration());
        builder.ApplyConfiguration(new CarePlanRevisionConfiguration());
        builder.ApplyConfiguration(new SafetyPlanConfiguration());
        builder.ApplyConfiguration(new SafetyPlanRevisionConfiguration());
        builder.ApplyConfiguration(new SafetyPlanLinkConfiguration());
        builder.ApplyConfiguration(new PersonPlanChangeConfiguration());
        builder.ApplyConfiguration(new ShareConfiguration());
        builder.ApplyConfiguration(new EpisodeConfiguration());
        builder.ApplyConfiguration(new ScheduledContactConfiguration());
        builder.ApplyConfiguration(new ListedServiceConfiguration());
        builder.ApplyConfiguration(new ReferralConfiguration());
        builder.ApplyConfiguration(new TherapyCourseConfiguration());
        builder.ApplyConfiguration(new MedicationConfiguration());
        builder.ApplyConfiguration(new OutboxMessageConfiguration());
        builder.ApplyConfiguration(new MessagePreferencesConfiguration());
        builder.ApplyConfiguration(new ConsentDecisionConfiguration());
        builder.ApplyConfiguration(new SafeguardingConcernConfiguration());
        builder.ApplyConfiguration(new FeedbackLinkConfiguration());
        builder.ApplyConfiguration(new FeedbackResponseConfiguration());
        builder.ApplyConfiguration(new DeathConfiguration());
        builder.ApplyConfiguration(new AuditEventConfiguration());
        builder.ApplyConfiguration(new AuditArchiveConfiguration());
        builder.ApplyConfiguration(new Bulk.BulkExportConfiguration());
        builder.ApplyConfiguration(new Bulk.BulkExportFileConfiguration());
        builder.ApplyConfiguration(new PersonPasskeyConfiguration());
        builder.ApplyConfiguration(new PersonSessionConfiguration());
        builder.ApplyConfiguration(new PersonSignInCodeConfiguration());
        builder.ApplyConfiguration(new Messaging.PersonMessageConfiguration());
        builder.ApplyConfiguration(new Programme.TalkRequestConfiguration());

        // Clinical free text is encrypted at rest, bound to its row and column (ADR 0009).
        builder.MapEncryptedFields();

        // OpenIddict's applications, authorizations, scopes and tokens (SMART on FHIR clients).
        builder.UseOpenIddict();
    }
}

public sealed class SqliteAftercareDbContext(DbContextOptions<SqliteAftercareDbContext> options) : AftercareDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        // SQLite cannot order or compare DateTimeOffset text; UTC ticks sort and compare exactly.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
    }

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.UtcTicks,
        v => new DateTimeOffset(v, TimeSpan.Zero));
}

public sealed class PostgresAftercareDbContext(DbContextOptions<PostgresAftercareDbContext> options) : AftercareDbContext(options)
{
    /// <summary>
    /// The escalated contacts the worklist and its badge read on every page carry the columns they
    /// need, so PostgreSQL reads that range from the index alone: measured at national scale
    /// (issue 16, docs/performance.md), a caseload's worklist fetched 3,492 escalated rows from the
    /// table to keep none, 2.5 to 6 ms of its 3 to 6 ms; from the index alone, 0.4 ms. The
    /// dashboard's statement (MeasureCountsInPostgres) reads each episode's first reaching contact
    /// and each presentation's first episode from indexes alone too: at 1M index presentations, 1.6
    /// s and 0.45 s of table scans and sorts became 0.25 s and 0.22 s (docs/performance.md).
    /// </summary>
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<ScheduledContact>().HasIndex(c => c.PersonId, "IX_Contacts_Escalated")
            .IncludeProperties(c => new { c.EpisodeId, c.Kind, c.DueAt, c.NotReachedCount, c.EscalatedAt, c.OriginallyDueAt, c.Id });
        // Named so that EF keeps the foreign key's own index beside the partial one below, which covers the reached only.
        builder.Entity<ScheduledContact>().HasIndex(c => c.EpisodeId, "IX_Contacts_EpisodeId");
        builder.Entity<ScheduledContact>().HasIndex(c => new { c.EpisodeId, c.CompletedAt }, "IX_Contacts_Reached")
            .HasFilter($"\"Outcome\" = '{nameof(ContactOutcome.Reached)}' AND \"CompletedAt\" IS NOT NULL");
        builder.Entity<Episode>().HasIndex(e => new { e.PresentationId, e.Id }, "IX_Episodes_PresentationId_Id")
            .IncludeProperties(e => e.DischargedAt);
        // The dashboard's window of presentations, in the order its window functions read them (person, arrival, id),
        // with the columns it counts: read from the index alone, no sort and no table read (0.2 s of 3.6 at 1M).
        builder.Entity<Presentation>().HasIndex(p => new { p.PersonId, p.ArrivedAt, p.Id }, "IX_Presentations_Measures")
            .IncludeProperties(p => new { p.SiteId, p.PsychosocialAssessmentAt })
            .HasFilter("\"EnteredInErrorAt\" IS NULL");
    }

    /// <summary>
    /// A transaction-scoped advisory lock, released by the commit or rollback, never left behind.
    /// The key is any fixed number that all audit-chain writers share ("Aftercar" in ASCII).
    /// </summary>
    private const string LockAuditChain = "SELECT pg_advisory_xact_lock(4712582039149437298)";

    private const string ChainHead = """SELECT "Sequence", "Hash" FROM "AuditEvents" WHERE "Sequence" > 0 ORDER BY "Sequence" DESC LIMIT 1""";

    /// <summary>
    /// The lock and the read of the head in one round trip (issue 16: every audited read and write
    /// pays for it), as a batch of two statements: PostgreSQL runs them in turn, and in READ
    /// COMMITTED the second takes its snapshot when it starts, after the lock was granted, so it
    /// sees the last event the previous holder committed. No transaction here asks for another
    /// isolation level.
    /// </summary>
    protected internal override async Task<(long Position, string Hash)?> LockAuditChainAndReadHeadAsync(CancellationToken ct)
    {
        var transaction = (Database.CurrentTransaction ?? throw new InvalidOperationException("The audit chain is extended inside a transaction only."))
            .GetDbTransaction();
        await using var batch = Database.GetDbConnection().CreateBatch();
        batch.Transaction = transaction;
        foreach (var sql in (string[])[LockAuditChain, ChainHead])
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = sql;
            batch.BatchCommands.Add(command);
        }

        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt64(0), reader.GetString(1)) : null;
    }
}
