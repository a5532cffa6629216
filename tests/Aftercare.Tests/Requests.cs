using Aftercare.App.Demo;
using Aftercare.Domain.Presentations;

namespace Aftercare.Tests;

/// <summary>Realistic synthetic request bodies for the presentations API.</summary>
public static class Requests
{
    private static int _next;

    /// <summary>A fresh MRN per call, so tests never collide.</summary>
    /// <summary>
    /// A valid NHS number, random after the prefix ("999": the range set aside for testing); its
    /// check digit from PersonIdentifier, the one implementation.
    /// </summary>
    public static string NewNhsNumber(string prefix = "")
    {
        while (true)
        {
            var digits = prefix + string.Concat(Enumerable.Range(prefix.Length, 9 - prefix.Length).Select(i => i == 0 ? Random.Shared.Next(1, 10) : Random.Shared.Next(0, 10)));
            if (Aftercare.Domain.People.PersonIdentifier.NhsCheckDigit(digits) is { } check)
            {
                return digits + check;
            }
        }
    }

    public static string NewMrn() => $"T{Interlocked.Increment(ref _next):00000}{Random.Shared.Next(1000, 9999)}";

    public static object NewPerson(string mrn, string given = "Robin", string family = "Fictional", string dob = "1994-03-27", string? nhs = null) => new
    {
        givenName = given,
        familyName = family,
        dateOfBirth = dob,
        sex = "Female",
        phone = "07700 900123",
        email = (string?)null,
        preferredChannel = "TextMessage",
        gpPractice = "Demo Street Surgery (fictional)",
        priorPsychiatricHistory = "No",
        mrn,
        nhsNumber = nhs,
    };

    public static object Presentation(Guid siteId, DateTimeOffset arrivedAt, Guid? personId = null, object? newPerson = null, DateTimeOffset? assessedAt = null) => new
    {
        personId,
        newPerson,
        arrivedAt,
        siteId,
        methods = new[] { nameof(SelfHarmMethod.MedicationOrDrugs) },
        alcoholInvolved = "Yes",
        medicalTreatmentNeeded = "Yes",
        medicalTreatmentNotes = "Paracetamol level taken; treated on the ward.",
        disposition = "Discharged",
        psychosocialAssessmentAt = assessedAt,
    };

    public static string DemoSiteCode => DemoData.Sites[0].Code;

    /// <summary>The first demo site's synthetic ODS code (Aftercare:Sites[].OdsCode).</summary>
    public static string DemoSiteOds => DemoData.Sites[0].OdsCode!;
}
