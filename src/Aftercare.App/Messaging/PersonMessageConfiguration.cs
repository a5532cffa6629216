using Aftercare.Domain.Messaging;
using Aftercare.Domain.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Messaging;

/// <summary>How it is stored: the thread between the person and their care team (migration PersonVoice); the words are encrypted.</summary>
internal sealed class PersonMessageConfiguration : IEntityTypeConfiguration<PersonMessage>
{
    public void Configure(EntityTypeBuilder<PersonMessage> builder)
    {
        builder.ToTable("PersonMessages");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Id).ValueGeneratedNever();
        builder.Ignore(m => m.WaitingForAnswer);
        builder.Property(m => m.WrittenBy).HasMaxLength(256);
        builder.Property(m => m.AnsweredBy).HasMaxLength(256);
        builder.Property(m => m.ExternalIdHash).HasMaxLength(64);
        builder.HasOne<Person>().WithMany().HasForeignKey(m => m.PersonId).OnDelete(DeleteBehavior.Restrict);
        // A text or email delivered twice is kept once.
        builder.HasIndex(m => m.ExternalIdHash).IsUnique();
        builder.HasIndex(m => new { m.PersonId, m.At });
        // The worklist: the person's messages not yet answered.
        builder.HasIndex(m => new { m.Author, m.AnsweredAt });
    }
}
