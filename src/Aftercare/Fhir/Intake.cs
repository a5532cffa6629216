using Aftercare.App.Data;
using Aftercare.App.Presentations;
using Aftercare.Domain;
using Aftercare.Domain.People;
using Aftercare.Domain.Presentations;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Fhir;

/// <summary>A presentation arriving as a transaction Bundle: Patient (or a reference), Encounter, Condition.</summary>
public static class Intake
{
    public static async Task<Result<RegisterPresentation.Command>> Read(Bundle bundle, AftercareDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(db);
        var errors = new Errors();
        var others = bundle.Entry.Where(e => e.Resource is not (Patient or Encounter or Condition)).Select(e => e.Resource?.TypeName ?? "(empty)").ToList();
        errors.AddIf(others.Count > 0, "Bundle.entry", $"An intake transaction holds a Patient, an Encounter and a Condition; not {string.Join(", ", others)}.");
        var encounters = bundle.Entry.Where(e => e.Resource is Encounter).ToList();
        errors.AddIf(encounters.Count != 1, "Bundle.entry", "An intake transaction holds exactly one Encounter.");
        errors.AddIf(bundle.Entry.Count(e => e.Resource is Patient) > 1 || bundle.Entry.Count(e => e.Resource is Condition) > 1, "Bundle.entry", "At most one Patient and one Condition.");
        if (errors.Any)
        {
            return Result<RegisterPresentation.Command>.Failure(errors.List);
        }

        var encounter = (Encounter)encounters[0].Resource!;
        var patientEntry = bundle.Entry.FirstOrDefault(e => e.Resource is Patient);
        Guid? existing = null;
        RegisterPresentation.NewPerson? newPerson = null;
        if (patientEntry is null)
        {
            var reference = encounter.Subject?.Reference ?? "";
            if (!reference.StartsWith("Patient/", StringComparison.Ordinal) || !Guid.TryParse(reference["Patient/".Length..], out var id) || !await db.People.AnyAsync(p => p.Id == id, ct))
            {
                return Result<RegisterPresentation.Command>.Failure("Encounter.subject", "Encounter.subject must reference a Patient in the Bundle or an existing Patient/id.");
            }

            existing = id;
        }
        else
        {
            var patient = (Patient)patientEntry.Resource!;
            existing = await Holder(patientEntry.Request?.IfNoneExist, db, ct);
            if (existing is null)
            {
                var mapped = People.PatientFhir.FromPatient(patient);
                if (!mapped.IsSuccess)
                {
                    return Result<RegisterPresentation.Command>.Failure(mapped.Errors);
                }

                newPerson = new RegisterPresentation.NewPerson(mapped.Value.Details, mapped.Value.Mrn, mapped.Value.NhsNumber);
            }
        }

        var condition = bundle.Entry.Select(e => e.Resource).OfType<Condition>().FirstOrDefault();
        var methods = Presentations.ConditionFhir.MethodsFrom(condition);
        if (!methods.IsSuccess)
        {
            return Result<RegisterPresentation.Command>.Failure(methods.Errors);
        }

        var codes = Presentations.ConditionFhir.CodesFrom(condition).Value;

        var siteCode = encounter.ServiceProvider?.Identifier?.Value;
        var site = siteCode is null ? null : await db.Sites.AsNoTracking().FirstOrDefaultAsync(s => s.Code == siteCode, ct);
        DateTimeOffset? arrived = encounter.Period?.StartElement?.TryToDateTimeOffset(out var start) == true ? start : null;
        DateTimeOffset? assessed = encounter.GetExtension(Presentations.EncounterFhir.AssessedUrl)?.Value is FhirDateTime at && at.TryToDateTimeOffset(out var a) ? a : null;
        var details = new PresentationDetails(
            arrived, site?.Id, methods.Value,
            Code(encounter, Presentations.EncounterFhir.AlcoholUrl, YesNoUnknown.Unknown),
            Code(encounter, Presentations.EncounterFhir.TreatmentUrl, YesNoUnknown.Unknown),
            null,
            Enum.TryParse<Disposition>(encounter.Hospitalization?.DischargeDisposition?.Coding.FirstOrDefault(c => c.System == Presentations.EncounterFhir.DispositionSystem)?.Code, out var d) ? d : Disposition.Discharged,
            assessed,
            codes);
        if (siteCode is not null && site is null)
        {
            return Result<RegisterPresentation.Command>.Failure("Encounter.serviceProvider", $"Site \"{siteCode}\" is not one of this service's sites.");
        }

        return new RegisterPresentation.Command(existing, newPerson, details);
    }

    /// <summary>The transaction-response: one entry per request entry, in the request's order (FHIR's rule for transactions).</summary>
    public static Bundle Response(Bundle request, RegisterPresentation.Registered registered, bool existingPatient)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(registered);
        var bundle = new Bundle { Type = Bundle.BundleType.TransactionResponse };
        foreach (var entry in request.Entry)
        {
            bundle.Entry.Add(entry.Resource switch
            {
                Patient => Entry(existingPatient ? "200 OK" : "201 Created", $"Patient/{registered.PersonId}/_history/1"),
                Encounter => Entry("201 Created", $"Encounter/{registered.PresentationId}/_history/1"),
                _ => Entry("201 Created", $"Condition/{registered.PresentationId}/_history/1"),
            });
        }

        return bundle;
    }

    private static Bundle.EntryComponent Entry(string status, string location) =>
        new() { Response = new Bundle.ResponseComponent { Status = status, Location = location, Etag = "W/\"1\"" } };

    /// <summary>ifNoneExist=identifier=system|value: the person who already holds it, if anyone.</summary>
    private static async Task<Guid?> Holder(string? ifNoneExist, AftercareDbContext db, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(ifNoneExist) || !ifNoneExist.StartsWith("identifier=", StringComparison.Ordinal))
        {
            return null;
        }

        var parts = Uri.UnescapeDataString(ifNoneExist["identifier=".Length..]).Split('|', 2);
        if (parts.Length != 2)
        {
            return null;
        }

        var kind = parts[0] == FhirSystems.NhsNumberSystem ? IdentifierKind.NhsNumber : IdentifierKind.Mrn;
        var value = PersonIdentifier.Normalise(kind, parts[1]);
        return await db.People.Where(p => p.Identifiers.Any(i => i.Kind == kind && i.Value == value)).Select(p => (Guid?)p.Id).FirstOrDefaultAsync(ct);
    }

    private static T Code<T>(DomainResource resource, string url, T fallback) where T : struct, Enum =>
        resource.GetExtension(url)?.Value is Hl7.Fhir.Model.Code code && Enum.TryParse<T>(code.Value, out var value) ? value : fallback;
}
