using Aftercare.Domain.People;
using Aftercare.Domain.Programme;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Programme;

/// <summary>How it is stored: the person's requests to talk (migration PersonVoice); the note is encrypted.</summary>
internal sealed class TalkRequestConfiguration : IEntityTypeConfiguration<TalkRequest>
{
    public void Configure(EntityTypeBuilder<TalkRequest> builder)
    {
        builder.ToTable("TalkRequests");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.Property(r => r.DoneBy).HasMaxLength(256);
        builder.HasOne<Person>().WithMany().HasForeignKey(r => r.PersonId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(r => new { r.PersonId, r.DoneAt });
    }
}
