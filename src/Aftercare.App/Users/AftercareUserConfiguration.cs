using Aftercare.App.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Users;

/// <summary>How it is stored: a member of staff, ASP.NET Core Identity's user with the name people see.</summary>
internal sealed class AftercareUserConfiguration : IEntityTypeConfiguration<AftercareUser>
{
    public void Configure(EntityTypeBuilder<AftercareUser> user) => user.Property(u => u.DisplayName).HasMaxLength(200);
}
