using Aftercare.Domain.Referrals;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Referrals;

/// <summary>How it is stored: a service in the directory people are referred to.</summary>
internal sealed class ListedServiceConfiguration : IEntityTypeConfiguration<ListedService>
{
    public void Configure(EntityTypeBuilder<ListedService> service)
    {
        service.ToTable("Services");
        service.HasKey(x => x.Id);
        service.Property(x => x.Code).HasMaxLength(50);
        service.Property(x => x.Name).HasMaxLength(200);
        service.Property(x => x.Phone).HasMaxLength(30);
        service.Property(x => x.Description).HasMaxLength(1000);
        service.HasIndex(x => x.Code).IsUnique();
        service.Ignore(x => x.IsClinical);
    }
}
