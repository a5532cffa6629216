using Aftercare.Domain.People;
using Aftercare.Domain.Referrals;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Referrals;

/// <summary>How it is stored: a referral to a service; Version guards against lost updates.</summary>
internal sealed class ReferralConfiguration : IEntityTypeConfiguration<Referral>
{
    public void Configure(EntityTypeBuilder<Referral> referral)
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
        referral.HasOne<ListedService>().WithMany().HasForeignKey(x => x.ServiceId).OnDelete(DeleteBehavior.Restrict);
    }
}
