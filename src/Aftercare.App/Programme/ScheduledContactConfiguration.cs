using Aftercare.Domain.Programme;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Programme;

/// <summary>How it is stored: a scheduled contact of an episode; Version guards against lost updates.</summary>
internal sealed class ScheduledContactConfiguration : IEntityTypeConfiguration<ScheduledContact>
{
    public void Configure(EntityTypeBuilder<ScheduledContact> contact)
    {
        contact.ToTable("Contacts");
        contact.HasKey(c => c.Id);
        contact.Property(c => c.Id).ValueGeneratedNever();
        contact.Property(c => c.Version).IsConcurrencyToken();
        contact.HasIndex(c => new { c.Status, c.DueAt });
        // A person's due contacts, answered from the index (the worklist's per-person probe, issue 16).
        contact.HasIndex(c => new { c.PersonId, c.Status, c.DueAt, c.EscalatedAt });
        // The escalated few still to make (thousands in ten million): the worklist's other range,
        // whatever their due time. Made or closed, a contact leaves it, so it does not grow with the
        // years. On PostgreSQL it carries the worklist's columns too (PostgresAftercareDbContext).
        contact.HasIndex(c => c.PersonId, "IX_Contacts_Escalated").HasFilter("\"EscalatedAt\" IS NOT NULL AND \"Status\" = 'Due'");
    }
}
