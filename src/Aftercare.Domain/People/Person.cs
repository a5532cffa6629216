using System.Net.Mail;

namespace Aftercare.Domain.People;

/// <summary>What a clinician enters about someone who has presented.</summary>
public sealed record PersonDetails(
    string? GivenName,
    string? FamilyName,
    DateOnly? DateOfBirth,
    Sex Sex,
    string? Phone,
    string? Email,
    ContactChannel PreferredChannel,
    string? GpPractice,
    PriorPsychiatricHistory PriorPsychiatricHistory,
    string? GpPracticeCode = null);

/// <summary>Someone who has presented to a service after self-harm (FHIR Patient).</summary>
public sealed class Person
{
    public const int OldestAgeInYears = 120;

    private Person()
    {
        GivenName = "";
        FamilyName = "";
    }

    public Guid Id { get; private set; }

    public string GivenName { get; private set; }

    public string FamilyName { get; private set; }

    public DateOnly DateOfBirth { get; private set; }

    public Sex Sex { get; private set; }

    public string? Phone { get; private set; }

    public string? Email { get; private set; }

    public ContactChannel PreferredChannel { get; private set; }

    public string? GpPractice { get; private set; }

    /// <summary>The GP practice's ODS code (e.g. <c>A81001</c>), when known; <see cref="GpPractice"/> is its name.</summary>
    public string? GpPracticeCode { get; private set; }

    public PriorPsychiatricHistory PriorPsychiatricHistory { get; private set; }

    public DateTimeOffset RegisteredAt { get; private set; }

    private readonly List<PersonIdentifier> _identifiers = [];

    /// <summary>The person's MRN and NHS number, as registered (EF fills the field).</summary>
    public IReadOnlyList<PersonIdentifier> Identifiers => _identifiers.AsReadOnly();

    public string DisplayName => $"{GivenName} {FamilyName}";

    public int AgeOn(DateOnly day) => Age.On(DateOfBirth, day);

    /// <summary>Checks every field and returns all the problems at once, or the new person.</summary>
    public static Result<Person> Register(
        PersonDetails details,
        IReadOnlyList<PersonIdentifier> identifiers,
        DateTimeOffset now,
        DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(details);
        var errors = new Errors();
        var given = Clean(details.GivenName);
        var family = Clean(details.FamilyName);
        errors.AddIf(given.Length == 0, "givenName", "Enter the person's given name.");
        errors.AddIf(given.Length > 100, "givenName", "A given name can be at most 100 characters.");
        errors.AddIf(family.Length == 0, "familyName", "Enter the person's family name.");
        errors.AddIf(family.Length > 100, "familyName", "A family name can be at most 100 characters.");

        if (details.DateOfBirth is not { } dob)
        {
            errors.Add("dateOfBirth", "Enter the date of birth.");
        }
        else if (dob > today)
        {
            errors.Add("dateOfBirth", "The date of birth is in the future. Check the year.");
        }
        else if (dob < today.AddYears(-OldestAgeInYears))
        {
            errors.Add("dateOfBirth", $"The date of birth makes the person older than {OldestAgeInYears}. Check the year.");
        }

        var phone = CleanOptional(details.Phone);
        var email = CleanOptional(details.Email);
        if (phone is not null && (phone.Length > 30 || !phone.All(c => char.IsAsciiDigit(c) || c is ' ' or '+' or '(' or ')' or '-')))
        {
            errors.Add("phone", "A phone number has digits, spaces and + ( ) - only.");
        }

        if (email is not null && (email.Length > 200 || !MailAddress.TryCreate(email, out _)))
        {
            errors.Add("email", "Enter an email address like name@example.org.");
        }

        errors.AddIf(details.PreferredChannel is ContactChannel.Phone or ContactChannel.TextMessage && phone is null,
            "phone", "The person prefers phone or text: enter a phone number, or choose another way to contact them.");
        errors.AddIf(details.PreferredChannel is ContactChannel.Email && email is null,
            "email", "The person prefers email: enter an email address, or choose another way to contact them.");
        errors.AddIf(!Enum.IsDefined(details.Sex), "sex", "Choose the person's sex.");
        errors.AddIf(!Enum.IsDefined(details.PreferredChannel), "preferredChannel", "Choose how the person prefers to be contacted.");
        errors.AddIf(!Enum.IsDefined(details.PriorPsychiatricHistory), "priorPsychiatricHistory",
            "Choose yes, no or not known for prior contact with mental-health services.");

        var gp = CleanOptional(details.GpPractice);
        errors.AddIf(gp is { Length: > 200 }, "gpPractice", "A GP practice name can be at most 200 characters.");
        var gpCode = CleanOptional(details.GpPracticeCode)?.ToUpperInvariant();
        errors.AddIf(gpCode is not null && !OdsCode.IsValid(gpCode), "gpPracticeCode",
            "An ODS code is 3 to 10 letters and digits, starting with a letter, like A81001. Leave it empty if you do not know it.");
        errors.AddIf(identifiers.GroupBy(i => i.Kind).Any(g => g.Count() > 1), "identifier",
            "Give each kind of identifier once.");

        if (errors.Any)
        {
            return Result<Person>.Failure(errors.List);
        }

        var person = new Person
        {
            Id = Guid.CreateVersion7(now),
            GivenName = given,
            FamilyName = family,
            DateOfBirth = details.DateOfBirth!.Value,
            Sex = details.Sex,
            Phone = phone,
            Email = email,
            PreferredChannel = details.PreferredChannel,
            GpPractice = gp,
            GpPracticeCode = gpCode,
            PriorPsychiatricHistory = details.PriorPsychiatricHistory,
            RegisteredAt = now,
        };
        person._identifiers.AddRange(identifiers);
        return person;
    }

    /// <summary>
    /// The person chooses how they are contacted, from their own space (issue 14.7): only a way the
    /// care team has an address for. Returns the error to show, or null.
    /// </summary>
    public Error? ChoosePreferredChannel(ContactChannel channel)
    {
        if (!Enum.IsDefined(channel) || channel == ContactChannel.Letter)
        {
            return new Error("channel", "Choose a text message, a phone call or an email.");
        }

        if (channel is ContactChannel.Phone or ContactChannel.TextMessage && string.IsNullOrWhiteSpace(Phone))
        {
            return new Error("channel", "Your care team has no phone number for you yet: ask them to add it, or choose email.");
        }

        if (channel == ContactChannel.Email && string.IsNullOrWhiteSpace(Email))
        {
            return new Error("channel", "Your care team has no email address for you yet: ask them to add it, or choose a text or a call.");
        }

        PreferredChannel = channel;
        return null;
    }

    private static string Clean(string? value) => (value ?? "").Trim();

    private static string? CleanOptional(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
