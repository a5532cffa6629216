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

    public static readonly SearchDeclaration Searched = new(Type, FhirParameter.Patient, FhirParameter.Subject) { ByPatient = true };

    public static CapabilityStatement.ResourceComponent Capability() => Fhir.Capability.Resource(Searched);

    public static async Task<IResult> Read(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var found = await EncounterFhir.WithSite(db, id, ct);
        return await RecordAnswers.ReadAsync(context, db, clock, Type, id, found is { } f ? ToCondition(f.Presentation) : null, found?.Presentation.PersonId, ct, AuditAction.PersonViewed);
    }

    public static Task<IResult> Search(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct) =>
        EncounterFhir.SearchPresentations(context, db, clock, Searched, (p, _) => ToCondition(p), ct);

    /// <summary>The presentation's self-harm as a Condition: SNOMED 276853009, and an ICD-10 code per method group.</summary>
    public static Condition ToCondition(Presentation presentation)
    {
        ArgumentNullException.ThrowIfNull(presentation);
        var code = new CodeableConcept(FhirSystems.SnomedSystem, FhirSystems.SelfHarmSnomed, "Self-inflicted injury");
        foreach (var method in presentation.Methods)
        {
            code.Coding.Add(new Coding(FhirSystems.Icd10System, FirstCode(method), method.Label()));
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
        foreach (var coding in condition.Code?.Coding.Where(c => c.System == FhirSystems.Icd10System) ?? [])
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
}
