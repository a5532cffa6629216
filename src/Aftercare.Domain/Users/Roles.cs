namespace Aftercare.Domain.Users;

/// <summary>The roles of the people who use Aftercare (issue #2). Names are stored as given here.</summary>
public static class Roles
{
    public const string Clinician = "clinician";
    public const string AftercareWorker = "aftercare-worker";
    public const string Therapist = "therapist";
    public const string ServiceManager = "service-manager";
    public const string Administrator = "administrator";

    /// <summary>Reviews every use of emergency access (break glass); sees the uses, not the records.</summary>
    public const string PrivacyLead = "privacy-lead";

    public static IReadOnlyList<string> All { get; } =
        [Clinician, AftercareWorker, Therapist, ServiceManager, Administrator, PrivacyLead];

    /// <summary>Roles that see a person's record to give direct care.</summary>
    public const string DirectCare = Clinician + "," + AftercareWorker + "," + Therapist;

    /// <summary>Roles allowed to register a presentation.</summary>
    public const string RegisterPresentations = Clinician + "," + AftercareWorker;

    public static string Describe(string role) => role switch
    {
        Clinician => "Clinician (assesses)",
        AftercareWorker => "Aftercare worker",
        Therapist => "Therapist",
        ServiceManager => "Service manager",
        Administrator => "Administrator",
        PrivacyLead => "Privacy lead",
        _ => role,
    };

    public static bool IsKnown(string role) => All.Contains(role);
}
