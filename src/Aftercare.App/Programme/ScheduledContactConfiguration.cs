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
        contact.HasIndex(c => c.PersonId);
    }
}
