using Aftercare.Domain.Feedback;
using Aftercare.Domain.People;
using Aftercare.Domain.Presentations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Feedback;

/// <summary>How it is stored: a feedback response.</summary>
internal sealed class FeedbackResponseConfiguration : IEntityTypeConfiguration<FeedbackResponse>
{
    public void Configure(EntityTypeBuilder<FeedbackResponse> response)
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
    }
}
