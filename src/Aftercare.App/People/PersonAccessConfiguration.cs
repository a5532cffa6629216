using Aftercare.Domain.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.People;

internal sealed class PersonPasskeyConfiguration : IEntityTypeConfiguration<PersonPasskey>
{
    public void Configure(EntityTypeBuilder<PersonPasskey> passkey)
    {
        passkey.ToTable("PersonPasskeys");
        passkey.HasKey(p => p.Id);
        passkey.Property(p => p.CredentialId).HasMaxLength(1023);
        passkey.Property(p => p.PublicKey).HasMaxLength(2048);
        passkey.HasIndex(p => p.CredentialId).IsUnique();
        passkey.HasIndex(p => p.PersonId);
        passkey.HasOne<Person>().WithMany().HasForeignKey(p => p.PersonId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PersonSessionConfiguration : IEntityTypeConfiguration<PersonSession>
{
    public void Configure(EntityTypeBuilder<PersonSession> session)
    {
        session.ToTable("PersonSessions");
        session.HasKey(s => s.Id);
        session.HasIndex(s => s.PersonId);
        session.HasOne<Person>().WithMany().HasForeignKey(s => s.PersonId).OnDelete(DeleteBehavior.Cascade);
        session.HasOne<PersonPasskey>().WithMany().HasForeignKey(s => s.PasskeyId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class PersonSignInCodeConfiguration : IEntityTypeConfiguration<PersonSignInCode>
{
    public void Configure(EntityTypeBuilder<PersonSignInCode> code)
    {
        code.ToTable("PersonSignInCodes");
        code.HasKey(c => c.Id);
        code.Property(c => c.CodeHash).HasMaxLength(64);
        code.HasIndex(c => new { c.PersonId, c.CreatedAt });
        code.HasOne<Person>().WithMany().HasForeignKey(c => c.PersonId).OnDelete(DeleteBehavior.Cascade);
    }
}
