using Aftercare.App.Audit;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Assessments;
using Aftercare.Domain.Interventions;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.Referrals;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Plans;
using Aftercare.Domain.Sharing;
using Aftercare.Domain.People;
using Aftercare.Domain.Presentations;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
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

    public DbSet<PsychosocialAssessment> Assessments => Set<PsychosocialAssessment>();

    public DbSet<CarePlan> CarePlans => Set<CarePlan>();

    public DbSet<SafetyPlan> SafetyPlans => Set<SafetyPlan>();

    public DbSet<SafetyPlanLink> SafetyPlanLinks => Set<SafetyPlanLink>();

    public DbSet<Share> Shares => Set<Share>();

    public DbSet<Episode> Episodes => Set<Episode>();

    public DbSet<ScheduledContact> Contacts => Set<ScheduledContact>();

    public DbSet<Service> Services => Set<Service>();

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
        var saved = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
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
    /// Makes concurrent writers of audit events take turns until their transactions end, so each
    /// reads the chain's true last event. SQLite needs nothing: its transactions begin IMMEDIATE,
    /// holding the one write lock from the start.
    /// </summary>
    protected internal virtual Task LockAuditChainAsync(CancellationToken ct) => Task.CompletedTask;

    private List<AuditEvent> AddedAuditEvents() =>
        [.. ChangeTracker.Entries<AuditEvent>().Where(e => e.State == EntityState.Added).Select(e => e.Entity)];

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        // Enums are stored by name so a reordered enum never changes what a row means.
        configurationBuilder.Properties<Sex>().HaveConversion<string>().HaveMaxLength(20);
        configurationBuilder.Properties<ContactChannel>().HaveConversion<string>().HaveMaxLength(20);
        configurationBuilder.Properties<PriorPsychiatricHistory>().HaveConversion<string>().HaveMaxLength(20);
        configurationBuilder.Properties<IdentifierKind>().HaveConversion<string>().HaveMaxLength(20);
        configurationBuilder.Properties<YesNoUnknown>().HaveConversion<string>().HaveMaxLength(20);
        configurationBuilder.Properties<Disposition>().HaveConversion<string>().HaveMaxLength(30);
        configurationBuilder.Properties<AuditAction>().HaveConversion<string>().HaveMaxLength(40);
        configurationBuilder.Properties<EpisodeStatus>().HaveConversion<string>().HaveMaxLength(20);
        configurationBuilder.Properties<EpisodeCloseReason>().HaveConversion<string>().HaveMaxLength(30);
        configurationBuilder.Properties<ContactKind>().HaveConversion<string>().HaveMaxLength(20);
        configurationBuilder.Properties<ContactStatus>().HaveConversion<string>().HaveMaxLength(20);
        configurationBuilder.Properties<ContactOutcome>().HaveConversion<string>().HaveMaxLength(20);
        configurationBuilder.Properties<ServiceKind>().HaveConversion<string>().HaveMaxLength(40);
        configurationBuilder.Properties<MessageChannel>().HaveConversion<string>().HaveMaxLength(20);
        configurationBuilder.Properties<MessageStatus>().HaveConversion<string>().HaveMaxLength(20);
        configurationBuilder.Properties<MessageKind>().HaveConversion<string>().HaveMaxLength(30);
        configurationBuilder.Properties<ReferralStatus>().HaveConversion<string>().HaveMaxLength(30);
        configurationBuilder.Properties<ServicePreference>().HaveConversion<string>().HaveMaxLength(20);
        configurationBuilder.Properties<TherapyType>().HaveConversion<string>().HaveMaxLength(30);
        configurationBuilder.Properties<MedicationClass>().HaveConversion<string>().HaveMaxLength(30);
        configurationBuilder.Properties<Indication>().HaveConversion<string>().HaveMaxLength(40);
        configurationBuilder.Properties<Domain.Feedback.FeedbackAbout>().HaveConversion<string>().HaveMaxLength(20);
        configurationBuilder.Properties<Domain.Feedback.Agreement>().HaveConversion<string>().HaveMaxLength(30);
        configurationBuilder.Properties<Domain.Feedback.WaitingTime>().HaveConversion<string>().HaveMaxLength(30);
        configurationBuilder.Properties<Domain.Mortality.DeathCause>().HaveConversion<string>().HaveMaxLength(20);
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<Person>(person =>
        {
            person.ToTable("People");
            person.HasKey(p => p.Id);
            person.Property(p => p.GivenName).HasMaxLength(100);
            person.Property(p => p.FamilyName).HasMaxLength(100);
            person.Property(p => p.Phone).HasMaxLength(30);
            person.Property(p => p.Email).HasMaxLength(200);
            person.Property(p => p.GpPractice).HasMaxLength(200);
            person.Ignore(p => p.DisplayName);
            person.HasIndex(p => new { p.FamilyName, p.DateOfBirth });
            person.OwnsMany(p => p.Identifiers, id =>
            {
                id.ToTable("PersonIdentifiers");
                id.WithOwner().HasForeignKey(i => i.PersonId);
                // One identifier belongs to one person: the key makes a silent twin impossible.
                id.HasKey(i => new { i.Kind, i.Value });
                id.Property(i => i.Value).HasMaxLength(20);
                id.HasIndex(i => i.PersonId);
            });
        });

        builder.Entity<Presentation>(presentation =>
        {
            presentation.ToTable("Presentations");
            presentation.HasKey(p => p.Id);
            presentation.HasOne<Person>().WithMany().HasForeignKey(p => p.PersonId).OnDelete(DeleteBehavior.Restrict);
            presentation.HasOne<Site>().WithMany().HasForeignKey(p => p.SiteId).OnDelete(DeleteBehavior.Restrict);
            presentation.Property(p => p.Methods)
                .HasConversion(
                    new ValueConverter<List<SelfHarmMethod>, string>(
                        v => string.Join(',', v),
                        v => v.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<SelfHarmMethod>).ToList()),
                    new ValueComparer<List<SelfHarmMethod>>(
                        (a, b) => a!.SequenceEqual(b!),
                        v => v.Aggregate(0, (h, m) => HashCode.Combine(h, m)),
                        v => v.ToList()))
                .HasMaxLength(400);
            presentation.Property(p => p.RecordedBy).HasMaxLength(450);
            presentation.Ignore(p => p.TimeToAssessment);
            presentation.HasIndex(p => new { p.PersonId, p.ArrivedAt });
            presentation.HasIndex(p => p.ArrivedAt);
        });

        builder.Entity<Site>(site =>
        {
            site.ToTable("Sites");
            site.HasKey(s => s.Id);
            site.Property(s => s.Code).HasMaxLength(20);
            site.Property(s => s.Name).HasMaxLength(200);
            site.HasIndex(s => s.Code).IsUnique();
        });

        builder.Entity<Domain.Access.StaffSite>(staff =>
        {
            staff.ToTable("StaffSites");
            staff.HasKey(x => new { x.UserId, x.SiteId });
            staff.Property(x => x.UserId).HasMaxLength(450);
            staff.HasOne<AftercareUser>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
            staff.HasOne<Site>().WithMany().HasForeignKey(x => x.SiteId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<Domain.Access.CareAssignment>(assignment =>
        {
            assignment.ToTable("CareAssignments");
            assignment.HasKey(x => x.Id);
            assignment.Property(x => x.Id).ValueGeneratedNever();
            assignment.Property(x => x.UserId).HasMaxLength(450);
            assignment.Property(x => x.AssignedBy).HasMaxLength(256);
            assignment.HasIndex(x => new { x.PersonId, x.UserId }).IsUnique();
            assignment.HasIndex(x => x.UserId);
            assignment.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Restrict);
            assignment.HasOne<AftercareUser>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Domain.Access.BreakGlassGrant>(grant =>
        {
            grant.ToTable("BreakGlassGrants");
            grant.HasKey(x => x.Id);
            grant.Property(x => x.Id).ValueGeneratedNever();
            grant.Property(x => x.UserId).HasMaxLength(450);
            grant.Property(x => x.UserEmail).HasMaxLength(256);
            grant.Property(x => x.ReviewedBy).HasMaxLength(256);
            grant.HasIndex(x => new { x.UserId, x.PersonId, x.ExpiresAt });
            grant.HasIndex(x => x.ReviewedAt);
            grant.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Restrict);
        });

        // The free text of consent decisions and safeguarding concerns is encrypted at rest (EncryptedFields).
        builder.Entity<Domain.Consent.ConsentDecision>(decision =>
        {
            decision.ToTable("ConsentDecisions");
            decision.HasKey(x => x.Id);
            decision.Property(x => x.Id).ValueGeneratedNever();
            decision.Property(x => x.RecordedBy).HasMaxLength(256);
            decision.Property(x => x.WithdrawnBy).HasMaxLength(256);
            decision.Ignore(x => x.InForce);
            decision.HasIndex(x => new { x.PersonId, x.Topic, x.RecordedAt });
            decision.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<Domain.Consent.SafeguardingConcern>(concern =>
        {
            concern.ToTable("SafeguardingConcerns");
            concern.HasKey(x => x.Id);
            concern.Property(x => x.Id).ValueGeneratedNever();
            concern.Property(x => x.RaisedBy).HasMaxLength(256);
            concern.Ignore(x => x.Reported);
            concern.HasIndex(x => new { x.PersonId, x.RaisedAt });
            concern.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<AuditEvent>(audit =>
        {
            audit.ToTable("AuditEvents");
            audit.HasKey(a => a.Id);
            audit.Property(a => a.ActorId).HasMaxLength(450);
            audit.Property(a => a.Actor).HasMaxLength(256);
            audit.Property(a => a.Purpose).HasMaxLength(100);
            audit.Property(a => a.EntityId).HasMaxLength(100);
            audit.Property(a => a.PreviousHash).HasMaxLength(64);
            audit.Property(a => a.Hash).HasMaxLength(64);
            audit.Property(a => a.Mac).HasMaxLength(64);
            audit.Ignore(a => a.IsSealed);
            // One event per position: two writers can never fork the chain (ADR 0008).
            audit.HasIndex(a => a.Sequence).IsUnique();
            audit.HasIndex(a => a.At);
            audit.HasIndex(a => new { a.PersonId, a.At });
        });

        builder.MapVersionedDocument<PsychosocialAssessment, AssessmentContent>("Assessments", "AssessmentRevisions");
        builder.Entity<PsychosocialAssessment>(a =>
        {
            a.HasOne<Presentation>().WithMany().HasForeignKey(x => x.PresentationId).OnDelete(DeleteBehavior.Restrict);
            a.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Restrict);
            // One assessment per presentation; a later conversation amends it.
            a.HasIndex(x => x.PresentationId).IsUnique();
        });
        builder.MapVersionedDocument<CarePlan, CarePlanContent>("CarePlans", "CarePlanRevisions");
        builder.Entity<CarePlan>(p =>
        {
            p.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Restrict);
            p.HasOne<PsychosocialAssessment>().WithMany().HasForeignKey(x => x.AssessmentId).OnDelete(DeleteBehavior.Restrict);
            p.HasIndex(x => x.ReviewBy);
        });
        builder.MapVersionedDocument<SafetyPlan, SafetyPlanContent>("SafetyPlans", "SafetyPlanRevisions");
        builder.Entity<SafetyPlan>(p => p.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Restrict));
        builder.Entity<SafetyPlanLink>(link =>
        {
            link.ToTable("SafetyPlanLinks");
            link.HasKey(l => l.Id);
            link.Property(l => l.TokenHash).HasMaxLength(64);
            link.Property(l => l.CreatedBy).HasMaxLength(256);
            link.HasIndex(l => l.TokenHash).IsUnique();
            link.HasOne<SafetyPlan>().WithMany().HasForeignKey(l => l.SafetyPlanId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<Share>(share =>
        {
            share.ToTable("Shares");
            share.HasKey(x => x.Id);
            share.Property(x => x.SharedBy).HasMaxLength(256);
            share.HasIndex(x => x.PersonId);
            share.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<Episode>(episode =>
        {
            episode.ToTable("Episodes");
            episode.HasKey(e => e.Id);
            episode.Property(e => e.PathwayId).HasMaxLength(50);
            episode.Property(e => e.PathwayName).HasMaxLength(200);
            episode.Property(e => e.PathwayVersion).HasMaxLength(50);
            episode.Property(e => e.EnrolledBy).HasMaxLength(256);
            episode.HasIndex(e => new { e.PersonId, e.Status });
            episode.HasOne<Person>().WithMany().HasForeignKey(e => e.PersonId).OnDelete(DeleteBehavior.Restrict);
            episode.HasOne<Presentation>().WithMany().HasForeignKey(e => e.PresentationId).OnDelete(DeleteBehavior.Restrict);
            episode.HasMany(e => e.Contacts).WithOne().HasForeignKey(c => c.EpisodeId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<ScheduledContact>(contact =>
        {
            contact.ToTable("Contacts");
            contact.HasKey(c => c.Id);
            contact.Property(c => c.Id).ValueGeneratedNever();
            contact.Property(c => c.Version).IsConcurrencyToken();
            contact.HasIndex(c => new { c.Status, c.DueAt });
            contact.HasIndex(c => c.PersonId);
        });

        builder.Entity<Service>(service =>
        {
            service.ToTable("Services");
            service.HasKey(x => x.Id);
            service.Property(x => x.Code).HasMaxLength(50);
            service.Property(x => x.Name).HasMaxLength(200);
            service.Property(x => x.Phone).HasMaxLength(30);
            service.Property(x => x.Description).HasMaxLength(1000);
            service.HasIndex(x => x.Code).IsUnique();
            service.Ignore(x => x.IsClinical);
        });
        builder.Entity<Referral>(referral =>
        {
            referral.ToTable("Referrals");
            referral.HasKey(x => x.Id);
            referral.Property(x => x.SentBy).HasMaxLength(256);
            referral.Property(x => x.Version).IsConcurrencyToken();
            referral.Ignore(x => x.IsClosed);
            referral.Ignore(x => x.NextSteps);
            referral.HasIndex(x => new { x.Status, x.DueBy });
            referral.HasIndex(x => x.PersonId);
            referral.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Restrict);
            referral.HasOne<Service>().WithMany().HasForeignKey(x => x.ServiceId).OnDelete(DeleteBehavior.Restrict);
        });
        builder.Entity<TherapyCourse>(course =>
        {
            course.ToTable("TherapyCourses");
            course.HasKey(x => x.Id);
            course.Property(x => x.RecordedBy).HasMaxLength(256);
            course.HasIndex(x => x.PersonId);
            course.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Restrict);
        });
        builder.Entity<Medication>(medication =>
        {
            medication.ToTable("Medications");
            medication.HasKey(x => x.Id);
            medication.Property(x => x.RecordedBy).HasMaxLength(256);
            medication.HasIndex(x => x.PersonId);
            medication.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<OutboxMessage>(message =>
        {
            message.ToTable("OutboxMessages");
            message.HasKey(m => m.Id);
            message.Property(m => m.LastError).HasMaxLength(200);
            message.Property(m => m.ClaimedBy).HasMaxLength(50);
            // Null only for messages scheduled before tokens were hashed (a pre-release database).
            message.Property(m => m.OptOutTokenHash).HasMaxLength(64).IsRequired(false);
            message.HasIndex(m => m.OptOutTokenHash).IsUnique();
            message.HasIndex(m => new { m.Status, m.DueAt });
            message.HasIndex(m => m.PersonId);
            message.HasOne<Person>().WithMany().HasForeignKey(m => m.PersonId).OnDelete(DeleteBehavior.Restrict);
        });
        builder.Entity<MessagePreferences>(preferences =>
        {
            preferences.ToTable("MessagePreferences");
            preferences.HasKey(p => p.PersonId);
            preferences.Ignore(p => p.OptedOut);
            preferences.HasOne<Person>().WithOne().HasForeignKey<MessagePreferences>(p => p.PersonId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<Domain.Feedback.FeedbackLink>(link =>
        {
            link.ToTable("FeedbackLinks");
            link.HasKey(l => l.Id);
            link.Property(l => l.Id).ValueGeneratedNever();
            link.Property(l => l.TokenHash).HasMaxLength(64);
            link.Property(l => l.CreatedBy).HasMaxLength(256);
            link.HasIndex(l => l.TokenHash).IsUnique();
            link.HasIndex(l => l.PersonId);
            link.HasOne<Person>().WithMany().HasForeignKey(l => l.PersonId).OnDelete(DeleteBehavior.Restrict);
            link.HasOne<Site>().WithMany().HasForeignKey(l => l.SiteId).OnDelete(DeleteBehavior.Restrict);
        });
        builder.Entity<Domain.Feedback.FeedbackResponse>(response =>
        {
            // No key to the link: an anonymous response cannot be followed back to the person.
            response.ToTable("FeedbackResponses");
            response.HasKey(r => r.Id);
            response.Property(r => r.Id).ValueGeneratedNever();
            response.Ignore(r => r.Anonymous);
            response.HasIndex(r => new { r.SiteId, r.Period });
            response.HasIndex(r => r.PersonId);
            response.HasOne<Site>().WithMany().HasForeignKey(r => r.SiteId).OnDelete(DeleteBehavior.Restrict);
            response.HasOne<Person>().WithMany().HasForeignKey(r => r.PersonId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<Domain.Mortality.Death>(death =>
        {
            death.ToTable("Deaths");
            death.HasKey(d => d.Id);
            death.Property(d => d.Id).ValueGeneratedNever();
            death.Property(d => d.SourceFile).HasMaxLength(Domain.Mortality.Death.MaxSourceFile);
            death.Property(d => d.SourceHash).HasMaxLength(64);
            // One death per person: a second, different one is a conflict to resolve, never a twin.
            death.HasIndex(d => d.PersonId).IsUnique();
            death.HasOne<Person>().WithMany().HasForeignKey(d => d.PersonId).OnDelete(DeleteBehavior.Restrict);
        });

        // Clinical free text is encrypted at rest, bound to its row and column (ADR 0009).
        builder.MapEncryptedFields();

        // OpenIddict's applications, authorizations, scopes and tokens (SMART on FHIR clients).
        builder.UseOpenIddict();

        builder.Entity<AftercareUser>(user => user.Property(u => u.DisplayName).HasMaxLength(200));
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
    /// A transaction-scoped advisory lock, released by the commit or rollback, never left behind.
    /// The key is any fixed number that all audit-chain writers share ("Aftercar" in ASCII).
    /// </summary>
    private const string LockAuditChain = "SELECT pg_advisory_xact_lock(4712582039149437298)";

    protected internal override Task LockAuditChainAsync(CancellationToken ct) => Database.ExecuteSqlRawAsync(LockAuditChain, ct);
}
