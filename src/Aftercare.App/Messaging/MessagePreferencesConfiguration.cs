using Aftercare.Domain.Messaging;
using Aftercare.Domain.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Messaging;

/// <summary>How it is stored: a person's choices about caring messages, one row per person.</summary>
internal sealed class MessagePreferencesConfiguration : IEntityTypeConfiguration<MessagePreferences>
{
    public void Configure(EntityTypeBuilder<MessagePreferences> preferences)
    {
        preferences.ToTable("MessagePreferences");
        preferences.HasKey(p => p.PersonId);
        preferences.Ignore(p => p.OptedOut);
        preferences.HasOne<Person>().WithOne().HasForeignKey<MessagePreferences>(p => p.PersonId).OnDelete(DeleteBehavior.Restrict);
    }
}
