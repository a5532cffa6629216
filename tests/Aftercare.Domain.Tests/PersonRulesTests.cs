using Aftercare.Domain.People;

namespace Aftercare.Domain.Tests;

public sealed class PersonRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Today = DateOnly.FromDateTime(Now.UtcDateTime);

    private static PersonDetails Details(DateOnly? dob = null, ContactChannel channel = ContactChannel.TextMessage, string? phone = "07700 900123", string? email = null) =>
        new("Robin", "Fictional", dob ?? new DateOnly(1994, 3, 27), Sex.Female, phone, email, channel, "Demo Street Surgery", PriorPsychiatricHistory.No);

    [Fact]
    public void A_person_with_sound_details_is_registered_with_names_trimmed()
    {
        var person = Person.Register(Details() with { GivenName = "  Robin " }, [], Now, Today);
        Assert.True(person.IsSuccess);
        Assert.Equal("Robin Fictional", person.Value.DisplayName);
        Assert.Equal(32, person.Value.AgeOn(Today));
    }

    [Fact]
    public void A_date_of_birth_in_the_future_is_refused()
    {
        var person = Person.Register(Details(Today.AddDays(1)), [], Now, Today);
        Assert.Contains(person.Errors, e => e.Field == "dateOfBirth" && e.Message.Contains("future", StringComparison.Ordinal));
    }

    [Fact]
    public void A_date_of_birth_that_makes_someone_older_than_120_is_refused()
    {
        var person = Person.Register(Details(Today.AddYears(-121)), [], Now, Today);
        Assert.Contains(person.Errors, e => e.Field == "dateOfBirth" && e.Message.Contains("120", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_problem_is_named_at_once()
    {
        var person = Person.Register(new PersonDetails("", " ", null, Sex.Unknown, "call me", "not-an-email", ContactChannel.Email, null, PriorPsychiatricHistory.Unknown), [], Now, Today);
        Assert.Equal(["givenName", "familyName", "dateOfBirth", "phone", "email"], person.Errors.Select(e => e.Field).Distinct().ToArray());
    }

    [Fact]
    public void A_preferred_channel_needs_a_way_to_use_it()
    {
        Assert.Contains(Person.Register(Details(channel: ContactChannel.TextMessage, phone: null), [], Now, Today).Errors, e => e.Field == "phone");
        Assert.Contains(Person.Register(Details(channel: ContactChannel.Email, email: null), [], Now, Today).Errors, e => e.Field == "email");
        Assert.True(Person.Register(Details(channel: ContactChannel.Letter, phone: null), [], Now, Today).IsSuccess);
    }

    [Theory]
    [InlineData("943 476 5919", true)]
    [InlineData("9434765919", true)]
    [InlineData("9434765918", false)]
    [InlineData("12345", false)]
    public void An_NHS_number_must_pass_its_check_digit(string value, bool valid)
    {
        var identifier = PersonIdentifier.Create(IdentifierKind.NhsNumber, value, "nhsNumber");
        Assert.Equal(valid, identifier.IsSuccess);
        if (valid)
        {
            Assert.Equal("9434765919", identifier.Value.Value);
        }
    }

    [Fact]
    public void An_MRN_is_normalised_so_the_same_number_always_finds_the_same_person()
    {
        Assert.Equal("ABC-123", PersonIdentifier.Create(IdentifierKind.Mrn, " abc-123 ").Value.Value);
        Assert.False(PersonIdentifier.Create(IdentifierKind.Mrn, "abc 123; drop").IsSuccess);
    }
}
