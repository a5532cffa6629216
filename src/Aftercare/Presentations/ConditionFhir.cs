using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Presentations;
using Aftercare.Fhir;
using Hl7.Fhir.Model;

namespace Aftercare.Presentations;

/// <summary>A presentation's self-harm as a FHIR Condition (SNOMED 276853009 and ICD-10 per method), its read and its search by patient.</summary>
public static class ConditionFhir
{
    public const string Type = "Condition";

    public static readonly SearchDeclaration Searched = new(Type, FhirParameter.Patient, FhirParameter.Subject, FhirParameter.Identifier)
    {
        ByPatient = true, PatientOr = FhirParameter.Identifier.Name, Includes = [EncounterFhir.IncludedBy(Type)],
    };

    /// <summary>The profile every Condition the server gives conforms to.</summary>
    public const string Profile = CanonicalUrls.StructureDefinitionBase + "aftercare-condition";

    public static CapabilityStatement.ResourceComponent Capability()
    {
        var condition = Fhir.Capability.Resource(Searched);
        condition.Interaction.Add(new() { Code = CapabilityStatement.TypeRestfulInteraction.Update, Documentation = EncounterFhir.WithdrawalDocumentation });
        EncounterFhir.Writable(condition, conditionalCreate: false);
        return condition;
    }

    /// <summary><c>PUT /fhir/Condition/{id}</c>: withdrawing the presentation (verificationStatus entered-in-error).</summary>
    public static Task<IResult> Update(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct) =>
        EncounterFhir.Withdraw(Type, id, context, db, clock, ct);

    /// <summary><c>PUT /fhir/Condition?identifier=system|value</c>: the same, by the sender's Condition identifier.</summary>
    public static Task<IResult> ConditionalUpdate(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct) =>
        EncounterFhir.Withdraw(Type, null, context, db, clock, ct);

    public static async Task<IResult> Read(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var found = await EncounterFhir.WithSite(db, id, ct);
        return await RecordAnswers.ReadAsync(context, db, clock, Type, id, found is { } f ? ToCondition(f.Presentation) : null, found?.Presentation.PersonId, ct, AuditAction.PersonViewed);
    }

    public static Task<IResult> Search(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct) =>
        EncounterFhir.SearchPresentations(context, db, clock, Searched, (p, _) => ToCondition(p), ct);

    /// <summary>The person's Conditions, as <c>$export</c> writes them.</summary>
    internal static Task<List<Resource>> Record(AftercareDbContext db, string appBase, Guid personId, CancellationToken ct) =>
        EncounterFhir.RecordOf(db, personId, (p, _) => ToCondition(p), ct);

    /// <summary>
    /// The presentation's self-harm as a Condition: SNOMED 276853009, then ICD-10 5th Edition UK codes:
    /// those the emergency department sent, exactly (X78.0 stays X78.0), and for a method group chosen
    /// on the page, the code that stands for it (<see cref="SelfHarmCodes.ForGroup"/>); each with its title.
    /// </summary>
    public static Condition ToCondition(Presentation presentation)
    {
        ArgumentNullException.ThrowIfNull(presentation);
        var code = new CodeableConcept(FhirSystems.SnomedSystem, FhirSystems.SelfHarmSnomed, "Self-inflicted injury", "Self-inflicted injury");
        var sent = presentation.Icd10Codes;
        var chosen = presentation.Methods.Where(m => !sent.Any(c => SelfHarmCodes.Group(c) == m)).Select(SelfHarmCodes.ForGroup);
        foreach (var icd10 in sent.Concat(chosen))
        {
            code.Coding.Add(new Coding(FhirSystems.Icd10UkSystem, icd10, SelfHarmCodes.Title(icd10)));
        }

        var condition = new Condition
        {
            Id = presentation.Id.ToString(),
            Meta = EncounterFhir.MetaOf(presentation, Profile),
            // The self-harm that brought the person to this encounter; Aftercare makes no judgement of whether it has resolved.
            // Withdrawn as entered in error, it has no clinical status (FHIR con-5).
            ClinicalStatus = presentation.IsEnteredInError ? null : new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active", null),
            VerificationStatus = presentation.IsEnteredInError
                ? new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-ver-status", "entered-in-error", "Entered in Error", null)
                : new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "Confirmed", null),
            Code = code,
            Subject = new ResourceReference($"Patient/{presentation.PersonId}"),
            Encounter = new ResourceReference($"Encounter/{presentation.Id}"),
            Onset = new FhirDateTime(presentation.ArrivedAt),
        };
        condition.Category.Add(new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-category", "encounter-diagnosis", "Encounter Diagnosis", null));
        if (presentation.ConditionIdentifierSystem is { } system)
        {
            condition.Identifier.Add(new Identifier(system, presentation.ConditionIdentifierValue));
        }

        EncounterFhir.AddWithdrawal(condition, presentation);
        return condition;
    }

    /// <summary>
    /// The ICD-10 codes a Condition sends (WHO or UK edition), exactly as sent; a code outside X60–X84
    /// is refused. No codes means the means are not known.
    /// </summary>
    public static Result<IReadOnlyList<string>> CodesFrom(Condition? condition)
    {
        var codes = condition?.Code?.Coding.Where(c => c.System is FhirSystems.Icd10System or FhirSystems.Icd10UkSystem).Select(c => c.Code ?? "").ToList() ?? [];
        if (codes.FirstOrDefault(c => !SelfHarmCodes.IsSelfHarm(c)) is { } other)
        {
            return Result<IReadOnlyList<string>>.Failure("Condition.code", $"ICD-10 {other} is not an intentional self-harm code (X60–X84, with or without the fourth character).");
        }

        return Result<IReadOnlyList<string>>.Success(codes);
    }

    /// <summary>The method groups a Condition's ICD-10 codes name; none means the means are not known.</summary>
    public static Result<IReadOnlyList<SelfHarmMethod>> MethodsFrom(Condition? condition)
    {
        var codes = CodesFrom(condition);
        if (!codes.IsSuccess)
        {
            return Result<IReadOnlyList<SelfHarmMethod>>.Failure(codes.Errors);
        }

        var methods = codes.Value.Select(SelfHarmCodes.Group).OfType<SelfHarmMethod>().Distinct().ToList();
        return Result<IReadOnlyList<SelfHarmMethod>>.Success(methods.Count > 0 ? methods : [SelfHarmMethod.Unspecified]);
    }
}
