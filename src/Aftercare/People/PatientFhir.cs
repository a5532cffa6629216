using Aftercare.App.Access;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.People;
using Aftercare.Fhir;
using Aftercare.Hosting;
using Aftercare.Plans;
using Aftercare.Presentations;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Person = Aftercare.Domain.People.Person;

namespace Aftercare.People;

/// <summary>
/// A person as a FHIR Patient, written field by field (the domain never sees Firely types), and
/// its read and search: a Patient search names someone by identifier; listing everyone is not a
/// clinical need.
/// </summary>
public static class PatientFhir
{
    public const string Type = "Patient";

    /// <summary>Revincludes: the people's presentations (Encounter, Condition) and plans (CarePlan), by subject or patient.</summary>
    public static readonly SearchDeclaration Searched = new(Type, FhirParameter.Identifier)
    {
        RevIncludes =
        [
            .. EncounterFhir.OfPeople(EncounterFhir.Type, EncounterFhir.ToEncounter),
            .. EncounterFhir.OfPeople(ConditionFhir.Type, (p, _) => ConditionFhir.ToCondition(p)),
            .. new[] { FhirParameter.Subject.Name, FhirParameter.Patient.Name }.Select(p => new FhirInclude(CarePlanFhir.Type, p, CarePlanFhir.Type, CarePlanFhir.OfPeople)),
        ],
    };

    /// <summary>The profile every Patient the server gives conforms to (Fhir/Definitions/StructureDefinition-aftercare-patient.json).</summary>
    public const string Profile = CanonicalUrls.StructureDefinitionBase + "aftercare-patient";

    public const string PriorHistoryUrl = FhirSystems.ExtensionBase + "prior-psychiatric-history";
    public const string PreferredChannelUrl = FhirSystems.ExtensionBase + "preferred-contact-channel";

    public static CapabilityStatement.ResourceComponent Capability() => Fhir.Capability.Resource(Searched);

    public static async Task<IResult> Read(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var g))
        {
            return Outcomes.NotFound(Type, id);
        }

        if (context.User.Identity?.IsAuthenticated != true)
        {
            var person = await db.People.AsNoTracking().FirstOrDefaultAsync(p => p.Id == g, ct);
            return await RecordAnswers.ReadAsync(context, db, clock, Type, id, person is null ? null : ToPatient(person), person?.Id, ct, AuditAction.PersonViewed);
        }

        // The person and the caller's standing to their record in one round trip; the check around it is FhirAccess's, as for every read.
        var read = await RecordAccess.ReadAsync(db, context.User.ToActor().UserId, g, clock.GetUtcNow(), ct);
        return await RecordAnswers.ReadAsync(context, db, clock, Type, id, read is null ? null : ToPatient(read.Person), read?.Person.Id, ct, AuditAction.PersonViewed,
            read is null ? null : new Dictionary<Guid, Relationship> { [read.Person.Id] = read.Relationship });
    }

    public static async Task<IResult> Search(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (!FhirSearch.Read(context, Searched, out var search, out var refusal))
        {
            return refusal!;
        }

        var people = db.People.AsNoTracking().AsQueryable();
        var identifiers = search.Tokens("identifier");
        if (identifiers.Count == 0)
        {
            // Listing everyone is not a clinical need: a Patient search names someone.
            return Outcomes.Required("Search for a Patient by identifier (system|value).", "identifier");
        }

        // identifier=A,B is either; identifier=A&identifier=B is someone who has both.
        foreach (var anyOf in identifiers)
        {
            if (anyOf.Any(t => t.System is not (null or "" or FhirSystems.MrnSystem or FhirSystems.NhsNumberSystem)))
            {
                return Outcomes.NotSupported($"Identifier systems searched: {FhirSystems.MrnSystem}, {FhirSystems.NhsNumberSystem}.", "identifier");
            }

            var mrns = anyOf.Where(t => t.System != FhirSystems.NhsNumberSystem).Select(t => PersonIdentifier.Normalise(IdentifierKind.Mrn, t.Code)).ToList();
            var nhs = anyOf.Where(t => t.System != FhirSystems.MrnSystem).Select(t => PersonIdentifier.Normalise(IdentifierKind.NhsNumber, t.Code)).ToList();
            people = people.Where(p => p.Identifiers.Any(i => (i.Kind == IdentifierKind.Mrn && mrns.Contains(i.Value)) || (i.Kind == IdentifierKind.NhsNumber && nhs.Contains(i.Value))));
        }

        people = search.Dated(people, "_lastUpdated", p => p.RegisteredAt);

        // Need-to-know before counting: a record the caller may not open is not counted, paged or
        // filtered on, so neither the total nor a date bisection says it exists (issue 17).
        List<Person> found;
        Dictionary<Guid, Relationship>? known = null;
        if (FhirAccess.OpenAmong(context, db, clock, people) is { } open)
        {
            // Each person found comes with the caller's standing to their record, which the check
            // before the answer would otherwise look up again, one round trip per person (issue 16).
            var standings = await open.OrderBy(s => s.Person.Id).ToListAsync(ct);
            found = [.. standings.Select(s => s.Person)];
            known = standings.ToDictionary(s => s.Person.Id, s => s.Relationship);
        }
        else
        {
            found = await people.OrderBy(p => p.Id).ToListAsync(ct);
        }

        var page = await FhirIncludes.AddAsync(context, db, clock, search, search.Page([.. found.Select(ToPatient)]), ct);
        return await FhirAccess.AnswerAsync(context, db, clock, AuditAction.PeopleSearched, [.. page.Entry.Where(e => e.Search?.Mode == Bundle.SearchEntryMode.Match).Select(e => Guid.Parse(e.Resource!.Id!))], "fhir search Patient",
            () => FhirJson.Ok(page), ct, known: known);
    }

    public static Patient ToPatient(Person person)
    {
        ArgumentNullException.ThrowIfNull(person);
        var patient = new Patient
        {
            Id = person.Id.ToString(),
            Meta = new Meta { VersionId = "1", LastUpdated = person.RegisteredAt, Profile = [Profile] },
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
            patient.Identifier.Add(new Identifier(identifier.Kind == IdentifierKind.NhsNumber ? FhirSystems.NhsNumberSystem : FhirSystems.MrnSystem, identifier.Value));
        }

        if (person.Phone is { } phone)
        {
            patient.Telecom.Add(new ContactPoint(ContactPoint.ContactPointSystem.Phone, ContactPoint.ContactPointUse.Mobile, phone));
        }

        if (person.Email is { } email)
        {
            patient.Telecom.Add(new ContactPoint(ContactPoint.ContactPointSystem.Email, ContactPoint.ContactPointUse.Home, email));
        }

        // The GP practice: by its ODS code when known (a logical reference to the Organization), its name as the display.
        if (person.GpPracticeCode is { } gpCode)
        {
            patient.GeneralPractitioner.Add(new ResourceReference { Type = "Organization", Identifier = new Identifier(FhirSystems.OdsOrganizationSystem, gpCode), Display = person.GpPractice });
        }
        else if (person.GpPractice is { } gp)
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
        var unknownSystems = patient.Identifier.Where(i => i.System is not (FhirSystems.MrnSystem or FhirSystems.NhsNumberSystem)).Select(i => i.System).ToList();
        errors.AddIf(unknownSystems.Count > 0, "Patient.identifier", $"Identifier systems accepted: {FhirSystems.MrnSystem} and {FhirSystems.NhsNumberSystem}.");
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
            CodeExtension(patient, PriorHistoryUrl, PriorPsychiatricHistory.Unknown),
            // The ED sends the practice as generalPractitioner.identifier (ODS); the shape is checked on registration.
            patient.GeneralPractitioner.Select(g => g.Identifier).FirstOrDefault(i => i?.System == FhirSystems.OdsOrganizationSystem)?.Value);
        return (details,
            patient.Identifier.FirstOrDefault(i => i.System == FhirSystems.MrnSystem)?.Value,
            patient.Identifier.FirstOrDefault(i => i.System == FhirSystems.NhsNumberSystem)?.Value);
    }
    private static T CodeExtension<T>(DomainResource resource, string url, T fallback) where T : struct, Enum =>
        resource.GetExtension(url)?.Value is Code code && Enum.TryParse<T>(code.Value, out var value) ? value : fallback;
}
