using Aftercare.Domain.Messaging;
using Aftercare.Domain.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Messaging;

/// <summary>How it is stored: a caring message in the transactional outbox (ADR 0007).</summary>
internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> message)
    {
        message.ToTable("OutboxMessages");
        message.HasKey(m => m.Id);
        message.Property(m => m.LastError).HasMaxLength(200);
        message.Property(m => m.ClaimedBy).HasMaxLength(50);
        message.Property(m => m.OptOutTokenHash).HasMaxLength(64);
        message.HasIndex(m => m.OptOutTokenHash).IsUnique();
        message.HasIndex(m => new { m.Status, m.DueAt });
        message.HasIndex(m => m.PersonId);
        message.HasOne<Person>().WithMany().HasForeignKey(m => m.PersonId).OnDelete(DeleteBehavior.Restrict);
    }
}
