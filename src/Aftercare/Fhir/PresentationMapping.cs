using Aftercare.Domain;
using Aftercare.Domain.People;
using Aftercare.Domain.Presentations;
using Hl7.Fhir.Model;
using Person = Aftercare.Domain.People.Person;

namespace Aftercare.Fhir;

/// <summary>
/// People and presentations as FHIR Patient, Encounter and Condition, written field by field
/// (docs/architecture.md). The domain never sees Firely types; this file is the only place they meet.
/// </summary>
public static class PresentationMapping
{
    public const string ExtensionBase = "https://aftercare.example/fhir/StructureDefinition/";
    public const string PriorHistoryUrl = ExtensionBase + "prior-psychiatric-history";
    public const string PreferredChannelUrl = ExtensionBase + "preferred-contact-channel";
    public const string AlcoholUrl = ExtensionBase + "alcohol-involved";
    public const string TreatmentUrl = ExtensionBase + "medical-treatment-needed";
    public const string AssessedUrl = ExtensionBase + "psychosocial-assessment-time";
    public const string DispositionSystem = ExtensionBase + "CodeSystem/disposition";
    public const string SiteSystem = "urn:aftercare:site";

    public static Patient ToPatient(Person person)
    {
        ArgumentNullException.ThrowIfNull(person);
        var patient = new Patient
        {
            Id = person.Id.ToString(),
            Meta = new Meta { VersionId = "1", LastUpdated = person.RegisteredAt },
            BirthDate = person.DateOfBirth.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            Gender = person.Sex switch
            {
                Sex.Female => AdministrativeGender.Female,
                Sex.Male => AdministrativeGender.Male,
                Sex.Other => AdministrativeGender.Other,
                _ => AdministrativeGender.Unknown,
            },
        };
        patient.Name.Add(new HumanName { Family = person.FamilyName, Given = [person.GivenName], Use = HumanName.NameUse.Official });
        foreach (var identifier in person.Identifiers.OrderBy(i => i.Kind))
        {
            patient.Identifier.Add(new Identifier(identifier.Kind == IdentifierKind.NhsNumber ? FhirRoutes.NhsNumberSystem : FhirRoutes.MrnSystem, identifier.Value));
        }

        if (person.Phone is { } phone)
        {
            patient.Telecom.Add(new ContactPoint(ContactPoint.ContactPointSystem.Phone, ContactPoint.ContactPointUse.Mobile, phone));
        }

        if (person.Email is { } email)
        {
            patient.Telecom.Add(new ContactPoint(ContactPoint.ContactPointSystem.Email, ContactPoint.ContactPointUse.Home, email));
        }

        if (person.GpPractice is { } gp)
        {
            patient.GeneralPractitioner.Add(new ResourceReference { Display = gp });
        }

        patient.Extension.Add(new Extension(PriorHistoryUrl, new Code(person.PriorPsychiatricHistory.ToString())));
        patient.Extension.Add(new Extension(PreferredChannelUrl, new Code(person.PreferredChannel.ToString())));
        return patient;
    }

    /// <summary>What a Patient says about a new person, and its identifiers.</summary>
    public static Result<(PersonDetails Details, string? Mrn, string? NhsNumber)> FromPatient(Patient patient)
    {
        ArgumentNullException.ThrowIfNull(patient);
        var errors = new Errors();
        var name = patient.Name.FirstOrDefault(n => n.Use is null or HumanName.NameUse.Official) ?? patient.Name.FirstOrDefault();
        DateOnly? birth = DateOnly.TryParseExact(patient.BirthDate, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var d) ? d : null;
        errors.AddIf(patient.BirthDate is not null && birth is null, "Patient.birthDate", "Give the full date of birth (YYYY-MM-DD).");
        var unknownSystems = patient.Identifier.Where(i => i.System is not (FhirRoutes.MrnSystem or FhirRoutes.NhsNumberSystem)).Select(i => i.System).ToList();
        errors.AddIf(unknownSystems.Count > 0, "Patient.identifier", $"Identifier systems accepted: {FhirRoutes.MrnSystem} and {FhirRoutes.NhsNumberSystem}.");
        if (errors.Any)
        {
            return Result<(PersonDetails, string?, string?)>.Failure(errors.List);
        }

        var details = new PersonDetails(
            name?.Given.FirstOrDefault(), name?.Family, birth,
            patient.Gender switch
            {
                AdministrativeGender.Female => Sex.Female,
                AdministrativeGender.Male => Sex.Male,
                AdministrativeGender.Other => Sex.Other,
                _ => Sex.Unknown,
            },
            patient.Telecom.FirstOrDefault(t => t.System == ContactPoint.ContactPointSystem.Phone)?.Value,
            patient.Telecom.FirstOrDefault(t => t.System == ContactPoint.ContactPointSystem.Email)?.Value,
            CodeExtension(patient, PreferredChannelUrl, ContactChannel.Letter),
            patient.GeneralPractitioner.FirstOrDefault()?.Display,
            CodeExtension(patient, PriorHistoryUrl, PriorPsychiatricHistory.Unknown));
        return (details,
            patient.Identifier.FirstOrDefault(i => i.System == FhirRoutes.MrnSystem)?.Value,
            patient.Identifier.FirstOrDefault(i => i.System == FhirRoutes.NhsNumberSystem)?.Value);
    }

    public static Encounter ToEncounter(Presentation presentation, Site site)
    {
        ArgumentNullException.ThrowIfNull(presentation);
        ArgumentNullException.ThrowIfNull(site);
        var encounter = new Encounter
        {
            Id = presentation.Id.ToString(),
            Meta = new Meta { VersionId = "1", LastUpdated = presentation.RecordedAt },
            Status = Encounter.EncounterStatus.Finished,
            Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "EMER", "emergency"),
            Subject = new ResourceReference($"Patient/{presentation.PersonId}"),
            Period = new Period { StartElement = new FhirDateTime(presentation.ArrivedAt) },
            ServiceProvider = new ResourceReference { Identifier = new Identifier(SiteSystem, site.Code), Display = site.Name },
            Hospitalization = new Encounter.HospitalizationComponent
            {
                DischargeDisposition = new CodeableConcept(DispositionSystem, presentation.Disposition.ToString(), presentation.Disposition.Describe()),
            },
        };
        encounter.ReasonCode.Add(new CodeableConcept(FhirRoutes.SnomedSystem, FhirRoutes.SelfHarmSnomed, "Self-inflicted injury"));
        encounter.Extension.Add(new Extension(AlcoholUrl, new Code(presentation.AlcoholInvolved.ToString())));
        encounter.Extension.Add(new Extension(TreatmentUrl, new Code(presentation.MedicalTreatmentNeeded.ToString())));
        if (presentation.PsychosocialAssessmentAt is { } assessed)
        {
            encounter.Extension.Add(new Extension(AssessedUrl, new FhirDateTime(assessed)));
        }

        return encounter;
    }

    /// <summary>The presentation's self-harm as a Condition: SNOMED 276853009, and an ICD-10 code per method group.</summary>
    public static Condition ToCondition(Presentation presentation)
    {
        ArgumentNullException.ThrowIfNull(presentation);
        var code = new CodeableConcept(FhirRoutes.SnomedSystem, FhirRoutes.SelfHarmSnomed, "Self-inflicted injury");
        foreach (var method in presentation.Methods)
        {
            code.Coding.Add(new Coding(FhirRoutes.Icd10System, FirstCode(method), method.Label()));
        }

        var condition = new Condition
        {
            Id = presentation.Id.ToString(),
            Meta = new Meta { VersionId = "1", LastUpdated = presentation.RecordedAt },
            Code = code,
            Subject = new ResourceReference($"Patient/{presentation.PersonId}"),
            Encounter = new ResourceReference($"Encounter/{presentation.Id}"),
            Onset = new FhirDateTime(presentation.ArrivedAt),
            VerificationStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed"),
        };
        condition.Category.Add(new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-category", "encounter-diagnosis"));
        return condition;
    }

    /// <summary>The method groups an ICD-10 coded Condition names; X60–X84 codes outside a known group are refused.</summary>
    public static Result<IReadOnlyList<SelfHarmMethod>> MethodsFrom(Condition? condition)
    {
        if (condition is null)
        {
            return Result<IReadOnlyList<SelfHarmMethod>>.Success([SelfHarmMethod.Unspecified]);
        }

        var methods = new List<SelfHarmMethod>();
        foreach (var coding in condition.Code?.Coding.Where(c => c.System == FhirRoutes.Icd10System) ?? [])
        {
            var match = SelfHarmMethods.All.FirstOrDefault(m => Covers(m, coding.Code));
            if (!SelfHarmMethods.All.Any(m => Covers(m, coding.Code)))
            {
                return Result<IReadOnlyList<SelfHarmMethod>>.Failure("Condition.code", $"ICD-10 {coding.Code} is not an intentional self-harm code (X60–X84).");
            }

            methods.Add(match);
        }

        return Result<IReadOnlyList<SelfHarmMethod>>.Success(methods.Count > 0 ? methods.Distinct().ToList() : [SelfHarmMethod.Unspecified]);
    }

    public static string FirstCode(SelfHarmMethod method) => method.Icd10()[..3];

    private static bool Covers(SelfHarmMethod method, string? code)
    {
        if (code is null || code.Length < 3 || !int.TryParse(code.AsSpan(1, 2), out var n) || char.ToUpperInvariant(code[0]) != 'X')
        {
            return false;
        }

        var range = method.Icd10().Split('–');
        var from = int.Parse(range[0].AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
        var to = range.Length > 1 ? int.Parse(range[1].AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) : from;
        return n >= from && n <= to;
    }

    private static T CodeExtension<T>(DomainResource resource, string url, T fallback) where T : struct, Enum =>
        resource.GetExtension(url)?.Value is Code code && Enum.TryParse<T>(code.Value, out var value) ? value : fallback;
}
