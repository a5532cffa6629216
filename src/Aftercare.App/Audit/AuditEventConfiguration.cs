using Aftercare.Domain.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Audit;

/// <summary>How it is stored: the audit, one hash chain (ADR 0008); append-only triggers are in the baseline migration.</summary>
internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> audit)
    {
        audit.ToTable("AuditEvents");
        audit.HasKey(a => a.Id);
        audit.Property(a => a.ActorId).HasMaxLength(450);
        audit.Property(a => a.Actor).HasMaxLength(256);
        audit.Property(a => a.Purpose).HasMaxLength(100);
        audit.Property(a => a.EntityId).HasMaxLength(AuditEvent.EntityIdLength);
        audit.Property(a => a.PreviousHash).HasMaxLength(64);
        audit.Property(a => a.Hash).HasMaxLength(64);
        audit.Property(a => a.Mac).HasMaxLength(64);
        audit.Ignore(a => a.IsSealed);
        // One event per position: two writers can never fork the chain (ADR 0008).
        audit.HasIndex(a => a.Sequence).IsUnique();
        audit.HasIndex(a => a.At);
        audit.HasIndex(a => new { a.PersonId, a.At });
    }
}
