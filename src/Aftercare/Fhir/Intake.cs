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
    public static async Task<Result<RegisterPresentation.Command>> Read(Bundle bundle, AftercareDbContext db, Aftercare.App.Sites.SiteTeams teams, CancellationToken ct)
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
            // A person found by their identifier exists; an id is looked for.
            var id = reference.StartsWith("Patient?", StringComparison.Ordinal) ? await Holder(IfNoneExist(reference["Patient?".Length..]), db, ct)
                : reference.StartsWith("Patient/", StringComparison.Ordinal) && Guid.TryParse(reference["Patient/".Length..], out var g) && await db.People.AnyAsync(p => p.Id == g, ct) ? g : (Guid?)null;
            if (id is null)
            {
                return Result<RegisterPresentation.Command>.Failure("Encounter.subject",
                    "Encounter.subject must reference a Patient in the Bundle, an existing Patient/id, or Patient?identifier=system|value held by someone already.");
            }

            existing = id;
        }
        else
        {
            var patient = (Patient)patientEntry.Resource!;
            var link = IfNoneExist(patientEntry.Request?.IfNoneExist);
            var mapped = People.PatientFhir.FromPatient(patient);
            if (mapped.IsSuccess)
            {
                // Whether someone holds the ifNoneExist identifier is asked with the new person's own identifiers, in one look-up.
                newPerson = new RegisterPresentation.NewPerson(mapped.Value.Details, mapped.Value.Mrn, mapped.Value.NhsNumber, link);
            }
            else
            {
                // A Patient that would not make a new person is not needed when its identifier's holder is the answer.
                existing = await Holder(link, db, ct);
                if (existing is null)
                {
                    return Result<RegisterPresentation.Command>.Failure(mapped.Errors);
                }
            }
        }

        var condition = bundle.Entry.Select(e => e.Resource).OfType<Condition>().FirstOrDefault();
        var methods = Presentations.ConditionFhir.MethodsFrom(condition);
        if (!methods.IsSuccess)
        {
            return Result<RegisterPresentation.Command>.Failure(methods.Errors);
        }

        var codes = Presentations.ConditionFhir.CodesFrom(condition).Value;

        var (siteCode, site) = await SiteOf(encounter, db, teams, ct);
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
            return Result<RegisterPresentation.Command>.Failure("Encounter.serviceProvider",
                $"Site \"{siteCode}\" is not one of this service's sites: no site has that code (see Organization?identifier= for each site's {FhirSystems.SiteSystem} code and configured {FhirSystems.OdsOrganizationSystem} ODS code).");
        }

        return new RegisterPresentation.Command(existing, newPerson, details,
            Sent: new RegisterPresentation.SentIdentifiers(Sent(encounter.Identifier), Sent(condition?.Identifier ?? [])));
    }

    /// <summary>The first identifier with a system and a value, as the sender gave it (null when none).</summary>
    public static SentIdentifier? Sent(IEnumerable<Identifier> identifiers) =>
        identifiers.FirstOrDefault(i => !string.IsNullOrWhiteSpace(i.Value) || !string.IsNullOrWhiteSpace(i.System)) is { } i ? new SentIdentifier(i.System ?? "", i.Value ?? "") : null;

    /// <summary>
    /// The site an Encounter names: <c>serviceProvider</c> as an identifier (the site's ODS code,
    /// system <c>https://fhir.nhs.uk/Id/ods-organization-code</c>, as configured in
    /// Aftercare:Sites[].OdsCode; or its Aftercare code, <c>urn:aftercare:site</c>), a conditional
    /// reference <c>Organization?identifier=system|code</c> or a literal <c>Organization/{id}</c>;
    /// else the first <c>location</c> named by such an identifier. The code is returned with the
    /// site, null when no site has it.
    /// </summary>
    private static async Task<(string? Code, Site? Site)> SiteOf(Encounter encounter, AftercareDbContext db, Aftercare.App.Sites.SiteTeams teams, CancellationToken ct)
    {
        static bool Ours(string? system) => system is null or "" or FhirSystems.OdsOrganizationSystem or FhirSystems.SiteSystem;
        var provider = encounter.ServiceProvider;
        (string? System, string? Code) named = provider?.Identifier is { } id && Ours(id.System) ? (id.System, id.Value) : (null, null);
        if (named.Code is null && provider?.Reference is { } reference)
        {
            if (reference.StartsWith("Organization?identifier=", StringComparison.Ordinal))
            {
                var token = FhirToken.Parse(Uri.UnescapeDataString(reference["Organization?identifier=".Length..]));
                named = Ours(token.System) ? (token.System, token.Code) : (null, reference);
            }
            else if (reference.StartsWith("Organization/", StringComparison.Ordinal))
            {
                var byId = Guid.TryParse(reference["Organization/".Length..], out var g) ? await db.Sites.AsNoTracking().FirstOrDefaultAsync(s => s.Id == g, ct) : null;
                return (reference, byId);
            }
        }

        if (named.Code is null && encounter.Location.Select(l => l.Location?.Identifier).FirstOrDefault(i => i is not null && Ours(i.System)) is { } located)
        {
            named = (located.System, located.Value);
        }

        if (string.IsNullOrWhiteSpace(named.Code))
        {
            return (null, null);
        }

        var trimmed = named.Code.Trim();
        // An ODS code is the configured site's; an Aftercare code (or one with no system) is the site's own code, or else an ODS code.
        var siteCode = named.System == FhirSystems.OdsOrganizationSystem ? teams.CodeOfOds(trimmed) : trimmed;
        var site = siteCode is null ? null : await db.Sites.AsNoTracking().FirstOrDefaultAsync(s => s.Code == siteCode, ct);
        if (site is null && named.System is null or "" && teams.CodeOfOds(trimmed) is { } viaOds)
        {
            site = await db.Sites.AsNoTracking().FirstOrDefaultAsync(s => s.Code == viaOds, ct);
        }

        return (named.Code, site);
    }

    public static Bundle Response(Bundle request, RegisterPresentation.Registered registered, bool existingPatient, bool matched = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(registered);
        var bundle = new Bundle { Type = Bundle.BundleType.TransactionResponse };
        foreach (var entry in request.Entry)
        {
            bundle.Entry.Add(entry.Resource switch
            {
                Patient => Entry(existingPatient ? "200 OK" : "201 Created", $"Patient/{registered.PersonId}/_history/1"),
                Encounter => Entry(matched ? "200 OK" : "201 Created", $"Encounter/{registered.PresentationId}/_history/1"),
                _ => Entry(matched ? "200 OK" : "201 Created", $"Condition/{registered.PresentationId}/_history/1"),
            });
        }

        return bundle;
    }

    private static Bundle.EntryComponent Entry(string status, string location) =>
        new() { Response = new Bundle.ResponseComponent { Status = status, Location = location, Etag = "W/\"1\"" } };

    /// <summary>ifNoneExist=identifier=system|value as the identifier it names, normalised as stored; null when it names none.</summary>
    private static RegisterPresentation.HeldIdentifier? IfNoneExist(string? ifNoneExist)
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
        return new RegisterPresentation.HeldIdentifier(kind, PersonIdentifier.Normalise(kind, parts[1]));
    }

    /// <summary>The person who already holds this identifier, if anyone.</summary>
    private static async Task<Guid?> Holder(RegisterPresentation.HeldIdentifier? identifier, AftercareDbContext db, CancellationToken ct) =>
        identifier is not { } held ? null
            : await db.People.Where(p => p.Identifiers.Any(i => i.Kind == held.Kind && i.Value == held.Value)).Select(p => (Guid?)p.Id).FirstOrDefaultAsync(ct);

    private static T Code<T>(DomainResource resource, string url, T fallback) where T : struct, Enum =>
        resource.GetExtension(url)?.Value is Hl7.Fhir.Model.Code code && Enum.TryParse<T>(code.Value, out var value) ? value : fallback;
}
