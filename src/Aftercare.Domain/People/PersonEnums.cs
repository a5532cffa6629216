namespace Aftercare.Domain.People;

/// <summary>Administrative sex, as FHIR's AdministrativeGender.</summary>
public enum Sex
{
    Unknown = 0,
    Female = 1,
    Male = 2,
    Other = 3,
}

/// <summary>How the person prefers to be contacted by the aftercare team.</summary>
public enum ContactChannel
{
    Phone = 0,
    TextMessage = 1,
    Email = 2,
    Letter = 3,
}

/// <summary>
/// Whether the person had contact with mental-health services before (docs/domain.md rule 12): for
/// people with none, aftercare is often their first contact with mental-health care.
/// </summary>
public enum PriorPsychiatricHistory
{
    Unknown = 0,
    Yes = 1,
    No = 2,
}

public enum IdentifierKind
{
    /// <summary>Hospital medical record number.</summary>
    Mrn = 0,

    /// <summary>NHS number (England, Wales and the Isle of Man): ten digits with a modulus-11 check digit.</summary>
    NhsNumber = 1,
}

public static class PersonLabels
{
    public static string Describe(this Sex sex) => sex switch
    {
        Sex.Female => "Female",
        Sex.Male => "Male",
        Sex.Other => "Other",
        _ => "Not known",
    };

    public static string Describe(this ContactChannel channel) => channel switch
    {
        ContactChannel.Phone => "Phone call",
        ContactChannel.TextMessage => "Text message",
        ContactChannel.Email => "Email",
        ContactChannel.Letter => "Letter",
        _ => channel.ToString(),
    };

    public static string Describe(this PriorPsychiatricHistory history) => history switch
    {
        PriorPsychiatricHistory.Yes => "Yes, has had contact with mental-health services",
        PriorPsychiatricHistory.No => "No prior contact with mental-health services",
        _ => "Not known",
    };

    public static string Describe(this IdentifierKind kind) => kind switch
    {
        IdentifierKind.Mrn => "MRN",
        IdentifierKind.NhsNumber => "NHS number",
        _ => kind.ToString(),
    };
}
